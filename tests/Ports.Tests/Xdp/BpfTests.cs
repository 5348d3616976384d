using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Tests.Xdp;

/// <summary>The bpf(2) wrapper's failure path: a refused program says why.</summary>
public sealed class BpfTests
{
    [Fact]
    public void AProgramTheVerifierRefusesFailsWithTheVerifiersReason()
    {
        ulong[] exitWithoutResult = [0x95]; // exit, with r0 never set
        var failure = Assert.Throws<SystemCallException>(() =>
            Bpf.LoadProgram(Bpf.ProgramTypeXdp, Bpf.AttachTypeXdp, exitWithoutResult, "vfwd_bad"));
        Assert.Equal(Errno.EACCES, failure.ErrorNumber);
        Assert.Contains("R0 !read_ok", failure.Message);
    }
}
