using System.Reflection;
using System.Runtime.InteropServices;

namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// What <c>-v</c> prints: <c>Virtio-forwarder version &lt;v&gt; (&lt;runtime&gt;)</c>, upstream's line
/// with the .NET runtime where upstream names its DPDK version (contract §8).
/// </summary>
public static class VersionBanner
{
    public static string Format(string version, string runtime) => $"Virtio-forwarder version {version} ({runtime})";

    /// <summary>This build's banner.</summary>
    public static string Current => Format(ProductVersion, RuntimeInformation.FrameworkDescription);

    /// <summary>The assembly's informational version without build metadata ("1.0.0", not "1.0.0+abc123").</summary>
    public static string ProductVersion
    {
        get
        {
            string version = typeof(VersionBanner).Assembly
                .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            int plus = version.IndexOf('+');
            return plus < 0 ? version : version[..plus];
        }
    }
}
