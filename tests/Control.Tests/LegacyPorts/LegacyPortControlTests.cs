using VirtioForwarder.Control.LegacyPorts;

namespace VirtioForwarder.Control.Tests.LegacyPorts;

public sealed class LegacyPortControlTests : IDisposable
{
    private readonly FakeSysfs _sysfs = new();
    private readonly FakeRelays _relays = new();
    private readonly LegacyPortControl _control;

    public LegacyPortControlTests()
    {
        _sysfs.AddVfNetdev("vf2", "0000:01:00.0", 2, "0000:01:10.4");
        _control = new LegacyPortControl(_relays, new NetdevResolver(_ => null, new SysfsNetdev(_sysfs.Root)));
    }

    [Fact]
    public void Add_attaches_and_a_repeated_add_of_the_same_device_is_a_no_op()
    {
        _control.Add(new PortIntent("veth1", 4));
        _control.Add(new PortIntent("veth1", 4));
        Assert.Equal("netdev:veth1", _relays.DeviceOf(4));
    }

    [Fact]
    public void Add_onto_a_relay_holding_another_device_leaves_it()
    {
        _control.Add(new PortIntent("veth1", 4));
        _control.Add(new PortIntent("veth2", 4));
        Assert.Equal("netdev:veth1", _relays.DeviceOf(4));
    }

    [Fact]
    public void Remove_of_a_relay_holding_another_device_leaves_it()
    {
        _control.Add(new PortIntent("veth1", 4));
        _control.Remove(new PortIntent("veth2", 4));
        Assert.Equal("netdev:veth1", _relays.DeviceOf(4));
        Assert.DoesNotContain("detach 4", _relays.Calls);
    }

    [Fact]
    public void Remove_of_an_empty_relay_is_a_no_op()
    {
        _control.Remove(new PortIntent("veth1", 4));
        Assert.Empty(_relays.Calls);
    }

    [Fact]
    public void Remove_finds_the_relay_of_a_netdev_that_has_disappeared_since_it_was_added()
    {
        _control.Add(new PortIntent("vf2"));
        Assert.Equal("0000:01:10.4", _relays.DeviceOf(2));
        Directory.Delete(Path.Combine(_sysfs.Root, "devices"), recursive: true);
        _control.Remove(new PortIntent("vf2"));
        Assert.Null(_relays.DeviceOf(2));
    }

    [Fact]
    public void A_relay_that_does_not_exist_is_refused_before_any_call()
    {
        _control.Add(new PortIntent("veth1", 8));
        _control.Add(new PortIntent("nosuch"));
        Assert.Empty(_relays.Calls);
    }

    [Fact]
    public void A_failure_inside_the_relays_is_logged_not_thrown_at_the_monitor()
    {
        _relays.Broken = true;
        _control.Apply(PortChange.Add(new PortIntent("veth1", 4)));
        _relays.Broken = false;
        _control.Apply(PortChange.Add(new PortIntent("veth1", 4)));
        Assert.Equal("netdev:veth1", _relays.DeviceOf(4));
    }

    public void Dispose() => _sysfs.Dispose();
}
