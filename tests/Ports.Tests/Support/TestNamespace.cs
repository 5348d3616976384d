namespace VirtioForwarder.Ports.Tests.Support;

/// <summary>
/// A network namespace of this test run's own (vfwdpt-…), so test traffic never meets the
/// machine's interfaces. Dispose deletes it with every interface inside.
/// </summary>
public sealed class TestNamespace : IDisposable
{
    private TestNamespace(string name) => Name = name;

    public string Name { get; }

    public static TestNamespace Create()
    {
        var created = new TestNamespace(UniqueName.New("vfwdpt-"));
        HostProcess.RunChecked("ip", "netns", "add", created.Name);
        return created;
    }

    /// <summary>Runs <c>ip -n &lt;namespace&gt; …</c>, throwing if it fails.</summary>
    public CommandResult Ip(params string[] arguments) => HostProcess.RunChecked(["ip", "-n", Name, .. arguments]);

    /// <summary>Starts a command inside the namespace.</summary>
    public HostProcess Start(params string[] commandLine) => new(["ip", "netns", "exec", Name, .. commandLine]);

    /// <summary>A file of the namespace's own /sys/class/net (ip netns exec mounts a sysfs for it).</summary>
    public string ReadNetSysfs(string interfaceName, string file) =>
        HostProcess.RunChecked("ip", "netns", "exec", Name, "cat", $"/sys/class/net/{interfaceName}/{file}").Output.Trim();

    public long ReadCounter(string interfaceName, string counter) =>
        long.Parse(ReadNetSysfs(interfaceName, "statistics/" + counter));

    public void Dispose() => HostProcess.RunChecked("ip", "netns", "del", Name);
}
