using System.Security.Cryptography;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// The test guest: the installed Debian kernel as an uncompressed vmlinux (PVH boot) and a busybox
/// initramfs whose /init (Assets/guest/init.sh) pings and reports on the serial console. Built
/// once per machine into <see cref="CacheDir"/>, and again when the kernel or the guest scripts
/// change or a file is missing.
/// </summary>
public sealed record GuestImage(string KernelPath, string InitrdPath)
{
    public const string CacheDir = "/var/tmp/vfwd-guest";

    private static readonly string AssetsDir = Path.Combine(AppContext.BaseDirectory, "Assets", "guest");
    private static readonly string StampPath = Path.Combine(CacheDir, "stamp");
    private static readonly object InProcessGate = new();

    /// <summary>Returns the cached image, building it first if needed. Safe to call concurrently.</summary>
    public static GuestImage Get()
    {
        var image = new GuestImage(Path.Combine(CacheDir, "vmlinux"), Path.Combine(CacheDir, "initramfs.cpio.gz"));
        var kernelVersion = NewestInstalledKernel();
        var stamp = $"kernel={kernelVersion} assets={AssetsHash()}";
        // lockf locks belong to the process, so threads of this one also need a lock of their own.
        lock (InProcessGate)
        {
            Directory.CreateDirectory(CacheDir);
            using var machineLock = FileLock.Acquire(Path.Combine(CacheDir, "lock"));
            if (!File.Exists(image.KernelPath) || !File.Exists(image.InitrdPath)
                || !File.Exists(StampPath) || File.ReadAllText(StampPath) != stamp)
                Build(kernelVersion, image, stamp);
        }
        return image;
    }

    private static void Build(string kernelVersion, GuestImage image, string stamp)
    {
        var staging = Directory.CreateTempSubdirectory("vfwd-guest-").FullName;
        try
        {
            HostCommand.RunChecked(
                new CommandLine("sh", Path.Combine(AssetsDir, "build-guest.sh"), kernelVersion,
                    Path.Combine(AssetsDir, "init.sh"), staging),
                TimeSpan.FromMinutes(2));
            // Renames leave a QEMU that still runs the old files undisturbed; the stamp goes last.
            File.Move(Path.Combine(staging, "vmlinux"), image.KernelPath, overwrite: true);
            File.Move(Path.Combine(staging, "initramfs.cpio.gz"), image.InitrdPath, overwrite: true);
            File.WriteAllText(StampPath, stamp);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>The newest kernel that has both modules and a bzImage (the host may run another one).</summary>
    private static string NewestInstalledKernel() =>
        Directory.GetDirectories("/lib/modules")
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(version => File.Exists($"/boot/vmlinuz-{version}"))
            .OrderBy(version => Version.TryParse(version.Split('-')[0], out var v) ? v : new Version())
            .LastOrDefault()
        ?? throw new InvalidOperationException("no guest kernel in /lib/modules + /boot: apt-get install linux-image-amd64");

    private static string AssetsHash()
    {
        using var sha = SHA256.Create();
        foreach (var file in Directory.GetFiles(AssetsDir).Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file);
            sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
        }
        sha.TransformFinalBlock([], 0, 0);
        return Convert.ToHexString(sha.Hash!);
    }
}
