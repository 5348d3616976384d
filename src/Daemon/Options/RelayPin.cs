namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// A <c>-c</c> pin: which CPU serves each direction of a relay. In <c>R:CPU1,CPU2</c> the first CPU
/// is VF→VM and the second VM→VF, the reverse of the core pinner's order (contract §8, §11).
/// </summary>
public sealed record RelayPin(int Relay, int VfToVmCpu, int VmToVfCpu)
{
    /// <summary>
    /// Parses one <c>-c</c> value: items <c>R:CPU</c> or <c>R:CPU1,CPU2</c> separated by ';',
    /// empty items skipped. Checks syntax and CPU &lt; 64 only; the relay's range and the CPUs'
    /// membership of -C depend on other options and are checked once all are known.
    /// </summary>
    public static IReadOnlyList<RelayPin> ParseList(string value) =>
        value.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(ParseItem).ToArray();

    private static RelayPin ParseItem(string item)
    {
        string[] relayAndCpus = item.Split(':');
        string[] cpus = relayAndCpus.Length == 2 ? relayAndCpus[1].Split(',') : [];
        if (cpus.Length is not (1 or 2))
            throw new CommandLineException($"Invalid virtio CPU specifier '{item}', format: <virtio>:<cpu>[,<cpu>]");
        int relay = DecimalArgument.Parse(relayAndCpus[0], 0, int.MaxValue, "virtio id");
        int vfToVm = CpuSet.ParseCpu(cpus[0]);
        int vmToVf = cpus.Length == 2 ? CpuSet.ParseCpu(cpus[1]) : vfToVm;
        return new RelayPin(relay, vfToVm, vmToVf);
    }

    public override string ToString() => $"{Relay}:{VfToVmCpu},{VmToVfCpu}";
}
