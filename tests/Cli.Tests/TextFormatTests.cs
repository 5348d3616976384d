using VirtioForwarder.Cli.Stats;
using VirtioForwarder.Cli.Text;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Tests;

public sealed class TextFormatTests
{
    [Theory]
    [InlineData(998.8629150390625, "998.8629150390625")]
    [InlineData(0.0, "0.0")]
    [InlineData(100.0, "100.0")]
    [InlineData(2.5, "2.5")]
    [InlineData(12345678.0, "12345678.0")]
    [InlineData(999999986991104.0, "999999986991104.0")]
    [InlineData(1.0000000272564224e16, "1.0000000272564224e+16")]
    [InlineData(1.0000000200408773e20, "1.0000000200408773e+20")]
    [InlineData(1e16, "1e+16")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(9.999999747378752e-05, "9.999999747378752e-05")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(1.401298464324817e-45, "1.401298464324817e-45")]
    [InlineData(-0.5, "-0.5")]
    public void Floats_print_as_Pythons_repr(double value, string expected) =>
        Assert.Equal(expected, PythonFloat.Repr(value));

    [Fact]
    public void Float32_rates_print_widened_to_double()
    {
        Assert.Equal("0.10000000149011612", PythonFloat.Repr(0.1f));
        Assert.Equal("1.500000053056283e-07", PythonFloat.Repr(1.5e-7f));
    }

    [Fact]
    public void Stats_text_format_matches_pythons_print() =>
        Assert.Equal(Vectors.Read("stats-text.txt"), ProtobufText.Format(Vectors.StatsReply));

    [Fact]
    public void Config_reply_prints_as_upstreams_client_shows_it()
    {
        var reply = new ConfigResponse { Status = ConfigResponse.Types.Status.Ok };
        reply.RelayCpuMap.Add(new ConfigResponse.Types.RelayCPU { RelayNumber = 0, Vf2VirtioCpu = 1, Virtio2VfCpu = 2 });

        Assert.Equal("status: OK\nrelay_cpu_map {\n  relay_number: 0\n  vf2virtio_cpu: 1\n  virtio2vf_cpu: 2\n}\n", ProtobufText.Format(reply));
    }

    [Fact]
    public void Required_status_zero_is_printed_and_unset_optionals_are_not()
    {
        var reply = new PortControlResponse { Status = PortControlResponse.Types.Status.Error };
        Assert.Equal("status: ERROR\n", ProtobufText.Format(reply));
    }

    [Fact]
    public void Flat_format_matches_upstreams_client() =>
        Assert.Equal(Vectors.Read("stats-flat.txt"), FlatStats.Format(Vectors.StatsReply, suppressZero: false));

    [Fact]
    public void Suppress_zero_hides_integer_zeros_only() =>
        Assert.Equal(Vectors.Read("stats-flat-suppress-zero.txt"), FlatStats.Format(Vectors.StatsReply, suppressZero: true));
}
