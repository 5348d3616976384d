using System.Text.Json;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// A network namespace of the test's own (named vfwdt-…), deleted with everything in it on
/// Dispose. The host side of every guest link lives in one, so test traffic never touches the
/// machine's real interfaces.
/// </summary>
public sealed class NetNamespace : IDisposable
{
    private NetNamespace(string name) => Name = name;

    public string Name { get; }

    public static NetNamespace Create()
    {
        var netns = new NetNamespace(UniqueName.New());
        HostCommand.RunChecked(new CommandLine("ip", "netns", "add", netns.Name));
        netns.SetUp("lo");
        return netns;
    }

    /// <summary>Creates a veth pair with both ends inside the namespace (both still down), each with <paramref name="queues"/> RX and TX queues.</summary>
    public void AddVethPair(string name, string peerName, int queues = 1)
    {
        string count = queues.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Ip("link", "add", name, "numtxqueues", count, "numrxqueues", count,
            "type", "veth", "peer", "name", peerName, "numtxqueues", count, "numrxqueues", count);
    }

    /// <summary>
    /// Moves an interface from the root namespace in (it arrives down, without addresses).
    /// Not for testpmd's net_tap before its port has started: net_tap would then create a
    /// second tap of that name in the root namespace; start testpmd inside instead.
    /// </summary>
    public void MoveIn(string interfaceName) =>
        HostCommand.RunChecked(new CommandLine("ip", "link", "set", interfaceName, "netns", Name));

    public void AddAddress(string interfaceName, string cidr) =>
        Ip("addr", "add", TestAddresses.Require(cidr), "dev", interfaceName);

    public void SetUp(string interfaceName) => Ip("link", "set", interfaceName, "up");

    /// <summary>Waits for an interface that a process inside creates (a net_tap tap, the daemon's tap).</summary>
    public void WaitForInterface(string interfaceName, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!HostCommand.Run(new CommandLine("ip", "-n", Name, "link", "show", interfaceName)).Succeeded)
        {
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"no interface {interfaceName} in {Name} after {timeout}");
            Thread.Sleep(100);
        }
    }

    /// <summary>Runs a command inside the namespace to completion.</summary>
    public CommandResult Run(string program, params string[] arguments) =>
        HostCommand.Run(new CommandLine(program, arguments).InNamespace(this));

    /// <summary>Pings from inside the namespace (busybox: the host may have no ping).</summary>
    public CommandResult Ping(string address, int count = 3) =>
        Run("busybox", "ping", "-c", count.ToString(), "-i", "0.2", "-W", "2", TestAddresses.Require(address));

    public InterfaceCounters ReadCounters(string interfaceName)
    {
        var json = Ip("-s", "-j", "link", "show", "dev", interfaceName).Output;
        using var document = JsonDocument.Parse(json);
        var stats = document.RootElement[0].GetProperty("stats64");
        long Get(string direction, string counter) => stats.GetProperty(direction).GetProperty(counter).GetInt64();
        return new InterfaceCounters(
            Get("rx", "packets"), Get("rx", "bytes"), Get("rx", "dropped"),
            Get("tx", "packets"), Get("tx", "bytes"), Get("tx", "dropped"));
    }

    /// <summary>Deletes the namespace; its veths and taps go with it.</summary>
    public void Dispose() => HostCommand.RunChecked(new CommandLine("ip", "netns", "del", Name));

    private CommandResult Ip(params string[] arguments) =>
        HostCommand.RunChecked(new CommandLine("ip", ["-n", Name, .. arguments]));
}
