using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using VirtioForwarder.Cli.Text;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Stats;

/// <summary>
/// Upstream's flat stats format (docs/control-contract.md §7.2): one <c>relay_ID.path=value</c>
/// line per field that is present on the wire, in upstream's order, with a <c>cpu_N.</c> part
/// before a direction's counters when its CPU is known. <c>suppressZero</c> hides integer zeros
/// only, not 0.0 and not False.
/// </summary>
internal static class FlatStats
{
    // Within a direction: active, internal_state, then by field number the four counters
    // (3-6), the four rates (11-14) and the drop counters (7-10). VFtoVM and VMtoVF share numbers.
    private static readonly int[] StateFields = [1, 2];
    private static readonly int[] CounterFields = [3, 4, 5, 6, 11, 12, 13, 14, 7, 8, 9, 10];

    public static string Format(StatsResponse reply, bool suppressZero)
    {
        var text = new StringBuilder();
        foreach (RelayState relay in reply.Relay)
        {
            var line = new Line(text, $"relay_{relay.Id}", suppressZero);
            line.Field(relay, null, "active");
            line.Field(relay.Cpu, "cpu", "vf_to_vm");
            line.Field(relay.Cpu, "cpu", "vm_to_vf");
            line.Field(relay.Vf, "vf", "pci_addr_str");
            line.Field(relay.Vhost, "vhost", "vhost_socket_name");
            int? vfToVmCpu = relay.Cpu is { HasVfToVm: true } ? relay.Cpu.VfToVm : null;
            int? vmToVfCpu = relay.Cpu is { HasVmToVf: true } ? relay.Cpu.VmToVf : null;
            line.Direction(relay.VfToVm, "vf_to_vm", vfToVmCpu);
            line.Direction(relay.VmToVf, "vm_to_vf", vmToVfCpu);
        }
        return text.ToString();
    }

    private readonly struct Line(StringBuilder text, string prefix, bool suppressZero)
    {
        public void Direction(IMessage? direction, string name, int? cpu)
        {
            foreach (int number in StateFields)
                Print(direction, direction?.Descriptor.FindFieldByNumber(number), name);
            string path = cpu is int c ? $"{name}.cpu_{c}" : name;
            foreach (int number in CounterFields)
                Print(direction, direction?.Descriptor.FindFieldByNumber(number), path);
        }

        public void Field(IMessage? message, string? path, string name) =>
            Print(message, message?.Descriptor.FindFieldByName(name), path);

        private void Print(IMessage? message, FieldDescriptor? field, string? path)
        {
            if (message is null || field is null || !field.Accessor.HasValue(message))
                return;
            object value = field.Accessor.GetValue(message);
            if (suppressZero && IsIntegerZero(value))
                return;
            text.Append(prefix).Append('.');
            if (path is not null)
                text.Append(path).Append('.');
            text.Append(field.Name).Append('=').Append(PythonStr(value)).Append('\n');
        }

        private static bool IsIntegerZero(object value) =>
            value is uint or int or ulong or long && Convert.ToDecimal(value, CultureInfo.InvariantCulture) == 0;

        // Python's str() of the value upstream's client gets from the message.
        private static string PythonStr(object value) => value switch
        {
            bool b => b ? "True" : "False",
            float f => PythonFloat.Repr(f),
            string s => s,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        };
    }
}
