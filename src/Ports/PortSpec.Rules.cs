using System.Text;

namespace VirtioForwarder.Ports;

/// <summary>
/// The shape rules of a spec's arguments, shared by <see cref="Parse"/> and the ports, which check
/// again because a <see cref="PortSpec"/> can also be built directly, without parsing.
/// </summary>
public sealed partial record PortSpec
{
    /// <summary>Smallest <c>null:&lt;size&gt;</c> frame: an Ethernet header.</summary>
    public const int MinSourceFrameSize = 14;

    /// <summary>Largest <c>null:&lt;size&gt;</c> frame: a 9 KiB jumbo frame.</summary>
    public const int MaxSourceFrameSize = 9216;

    // IFNAMSIZ (16) less the terminating NUL; the kernel counts bytes, not characters.
    private const int MaxInterfaceNameBytes = 15;

    internal static bool IsSourceFrameSize(int size) => size is >= MinSourceFrameSize and <= MaxSourceFrameSize;

    internal static string SourceFrameSizeOutOfRange(string size) =>
        $"frame size {size} is outside {MinSourceFrameSize}..{MaxSourceFrameSize}";

    /// <summary>Most queues a <c>null:&lt;size&gt;/&lt;queues&gt;</c> port has: as many as a guest's queue pairs (vhost-user GET_QUEUE_NUM).</summary>
    public const int MaxQueues = 32;

    internal static bool IsQueueCount(int queues) => queues is >= 1 and <= MaxQueues;

    internal static string QueueCountOutOfRange(string queues) => $"queue count {queues} is outside 1..{MaxQueues}";

    /// <summary>What the kernel would refuse in an interface name (its dev_valid_name rules), or null if nothing.</summary>
    internal static string? InterfaceNameProblem(string name)
    {
        if (name.Length == 0) return "missing interface name; expected tap:<ifname> or netdev:<ifname>";
        if (Encoding.UTF8.GetByteCount(name) > MaxInterfaceNameBytes)
            return $"interface name '{name}' is longer than {MaxInterfaceNameBytes} bytes";
        if (name is "." or "..") return $"interface name '{name}' is not allowed";
        foreach (char c in name)
        {
            if (c is '/' or ':') return $"interface name '{name}' contains '{c}'";
            if (char.IsWhiteSpace(c) || char.IsControl(c))
                return $"interface name '{name}' contains whitespace or a control character";
        }
        return null;
    }

    internal static string Describe(string text, string problem) => $"port spec '{text}': {problem}";
}
