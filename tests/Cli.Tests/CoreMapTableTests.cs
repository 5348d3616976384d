using VirtioForwarder.Cli.Pinning;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Tests;

public sealed class CoreMapTableTests
{
    // §7.3's example: cores 1 and 2, relay 0 with VF→VM on core 1 and VM→VF on core 2.
    [Fact]
    public void The_contracts_example()
    {
        Assert.Equal(
            ["===================", "== 01 ==   == 02 ==", "      00   00", "==================="],
            CoreMapTable.Lines([TestRelays.Active(0, vfToVm: 1, vmToVf: 2)], [1, 2]));
    }

    // Checked against upstream's print_core_mapping.
    [Fact]
    public void Columns_follow_the_servers_core_order_and_rows_grow_with_the_busiest_core()
    {
        Assert.Equal(
            [
                "==============================",
                "== 03 ==   == 01 ==   == 02 ==",
                "00    01   01         03    00",
                "02    03                    02",
                "==============================",
            ],
            CoreMapTable.Lines([TestRelays.Active(0, 2, 3), TestRelays.Active(1, 3, 1), TestRelays.Active(2, 2, 3), TestRelays.Active(3, 3, 2)], [3, 1, 2]));
    }

    [Fact]
    public void No_relays_give_only_the_header()
    {
        Assert.Equal(["========", "== 01 ==", "========"], CoreMapTable.Lines([], [1]));
    }

    [Theory]
    [InlineData("0:1,2", 0, 1, 2)]
    [InlineData("42:3,1", 42, 3, 1)]
    public void Virtio_cpu_is_relay_then_vm_to_vf_then_vf_to_vm(string text, int relay, int virtio2vf, int vf2virtio)
    {
        var mapping = VirtioCpuMapping.Parse(text);
        Assert.Equal((relay, virtio2vf, vf2virtio), (mapping.RelayNumber, mapping.Virtio2VfCpu, mapping.Vf2VirtioCpu));
    }

    [Theory]
    [InlineData("0:1")]
    [InlineData("0:1,x")]
    [InlineData("1,2")]
    [InlineData("0:1,2,3")]
    [InlineData("a:1,2")]
    public void A_malformed_virtio_cpu_is_refused(string text) =>
        Assert.Contains("RELAY:CPU1,CPU2", Assert.Throws<CliException>(() => VirtioCpuMapping.Parse(text)).Message);
}
