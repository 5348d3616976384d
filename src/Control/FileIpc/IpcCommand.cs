using System.Globalization;
using VirtioForwarder.Control.LegacyPorts;

namespace VirtioForwarder.Control.FileIpc;

/// <summary>
/// A file-IPC command (contract §8.4): <c>add_port &lt;netdev&gt;</c> or <c>del_port &lt;netdev&gt;</c>.
/// As upstream, only the first character tells add from delete, and one command is read per file.
/// Our generalisation: an optional relay number after the netdev (<c>add_port veth1 3</c>), for
/// netdevs that are neither NFP nor SR-IOV VFs; upstream ignored anything after the netdev.
/// </summary>
public static class IpcCommand
{
    /// <summary>The change the text asks for, or null with <paramref name="problem"/> saying what is wrong.</summary>
    public static PortChange? Parse(string text, out string problem)
    {
        problem = "";
        string line = text.Split('\n', 2)[0];
        string[] words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        bool? add = line.Length == 0 ? null : line[0] switch { 'a' => true, 'd' => false, _ => null };
        if (add is null || words.Length < 2)
        {
            problem = $"not 'add_port <netdev> [<relay>]' or 'del_port <netdev> [<relay>]': '{line}'";
            return null;
        }
        int? relay = null;
        if (words.Length > 2)
        {
            if (!int.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out int r))
            {
                problem = $"relay '{words[2]}' is not a number: '{line}'";
                return null;
            }
            relay = r;
        }
        var intent = new PortIntent(words[1], relay);
        return add.Value ? PortChange.Add(intent) : PortChange.Remove(intent);
    }
}
