using System.Text;

namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// The usage text printed with every command-line error, laid out like upstream's: a synopsis with
/// optional options in brackets, then one line per option, <c>-C&lt;val&gt;   or --cpus=&lt;val&gt;</c>,
/// with the help wrapped in a column.
/// </summary>
public static class UsageText
{
    private const int NameColumn = 46;
    private const int Width = 100;
    private const string Description =
        "Virtio-forwarder daemon: relays packets between host ports and vhost-user VMs.";

    public static string For(IReadOnlyList<OptionSpec> table, string program = "virtio-forwarder")
    {
        var text = new StringBuilder();
        AppendWrapped(text, "USAGE: " + program + " ", table.Select(Synopsis), "        ");
        text.Append('\n').Append(Description).Append("\n\nOptions:\n");
        foreach (OptionSpec option in table)
            AppendWrapped(text, ("  " + Names(option)).PadRight(NameColumn), option.Help.Split(' '), new string(' ', NameColumn));
        return text.ToString();
    }

    // "--cpus=<val>", "[--nodaemon[=<val>]]", "[--ipc]".
    private static string Synopsis(OptionSpec option)
    {
        string value = option.Argument switch
        {
            ArgumentKind.Required => "=<val>",
            ArgumentKind.Optional => "[=<val>]",
            _ => "",
        };
        string word = "--" + option.Long + value;
        return option.IsMandatory ? word : "[" + word + "]";
    }

    // "-C<val>   or --cpus=<val>", "-Z[<val>] or --zmq-port-control-ep[=<val>]", "-J        or --enable-jumbo".
    private static string Names(OptionSpec option)
    {
        (string shortValue, string longValue) = option.Argument switch
        {
            ArgumentKind.Required => ("<val>  ", "=<val>"),
            ArgumentKind.Optional => ("[<val>]", "[=<val>]"),
            _ => ("       ", ""),
        };
        string shortPart = option.Short is { } c ? $"-{c}{shortValue} or " : new string(' ', 13);
        return shortPart + "--" + option.Long + longValue;
    }

    // Words after a lead-in, wrapped at Width; continuation lines start with the indent.
    private static void AppendWrapped(StringBuilder text, string lead, IEnumerable<string> words, string indent)
    {
        var line = new StringBuilder(lead);
        bool lineHasWords = false;
        foreach (string word in words)
        {
            if (lineHasWords && line.Length + 1 + word.Length > Width)
            {
                text.Append(line.ToString().TrimEnd()).Append('\n');
                line.Clear().Append(indent);
                lineHasWords = false;
            }
            line.Append(lineHasWords ? " " : "").Append(word);
            lineHasWords = true;
        }
        text.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
