using System.Globalization;
using VirtioForwarder.Control.Protobuf;
using RelayCPU = VirtioForwarder.Control.Protobuf.CoreSchedRequest.Types.RelayCPU;

namespace VirtioForwarder.Cli.Pinning;

/// <summary>
/// The pinner's <c>--virtio-cpu R:C1,C2</c>: C1 is the VM→VF (virtio2vf) CPU and C2 the VF→VM
/// (vf2virtio) CPU, the opposite of the daemon's own <c>-c</c> (docs/control-contract.md §5, §7.3).
/// </summary>
internal static class VirtioCpuMapping
{
    public static RelayCPU Parse(string text)
    {
        string[] relayAndCpus = text.Split(':');
        string[] cpus = relayAndCpus.Length == 2 ? relayAndCpus[1].Split(',') : [];
        if (cpus.Length != 2
            || !TryNumber(relayAndCpus[0], out int relay)
            || !TryNumber(cpus[0], out int virtio2vf)
            || !TryNumber(cpus[1], out int vf2virtio))
            throw new CliException($"invalid --virtio-cpu '{text}': expected RELAY:CPU1,CPU2 (CPU1 VM to VF, CPU2 VF to VM)");
        return new RelayCPU { RelayNumber = relay, Virtio2VfCpu = virtio2vf, Vf2VirtioCpu = vf2virtio };
    }

    private static bool TryNumber(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
