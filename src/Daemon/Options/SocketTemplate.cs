using System.Globalization;
using System.Text;

namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// The static-socket file-name template of <c>-S</c> (contract §10.2): exactly one <c>%u</c>, no
/// '/', no digit directly after <c>%u</c> (so that a path maps back to one relay), at most 31 bytes.
/// Relay i's socket is <c>vhostPath + "/" + Prefix + i + Suffix</c>, plain concatenation as
/// upstream does, so a trailing '/' on the directory gives '//'; path matching is exact.
/// </summary>
public sealed record SocketTemplate
{
    public const string Placeholder = "%u";
    public const int MaxLength = 31;

    private SocketTemplate(string prefix, string suffix) => (Prefix, Suffix) = (prefix, suffix);

    /// <summary>Upstream's default, <c>virtio-forwarder%u.sock</c>.</summary>
    public static SocketTemplate Default { get; } = new("virtio-forwarder", ".sock");

    /// <summary>The text before <c>%u</c>.</summary>
    public string Prefix { get; }

    /// <summary>The text after <c>%u</c>.</summary>
    public string Suffix { get; }

    /// <summary>The template as written, e.g. <c>virtio-forwarder%u.sock</c>.</summary>
    public string Text => Prefix + Placeholder + Suffix;

    /// <summary>Checks the rules above; throws <see cref="CommandLineException"/> naming the broken one.</summary>
    public static SocketTemplate Parse(string template)
    {
        if (Encoding.UTF8.GetByteCount(template) > MaxLength)
            throw new CommandLineException($"vhost-user socket name '{template}' is longer than {MaxLength} bytes");
        int at = template.IndexOf(Placeholder, StringComparison.Ordinal);
        if (at < 0)
            throw new CommandLineException($"Mandatory single '%u' not found in vhost-user socket name '{template}'");
        if (template.IndexOf(Placeholder, at + 1, StringComparison.Ordinal) >= 0)
            throw new CommandLineException($"More than one occurrence of '%u' found in vhost-user socket name '{template}'");
        if (template.Contains('/'))
            throw new CommandLineException($"Invalid '/' found in vhost-user socket name '{template}'");
        string suffix = template[(at + Placeholder.Length)..];
        if (suffix.Length > 0 && char.IsAsciiDigit(suffix[0]))
            throw new CommandLineException($"vhost-user socket name '{template}' may not contain a number after '%u'");
        return new SocketTemplate(template[..at], suffix);
    }

    /// <summary>Relay <paramref name="relay"/>'s socket path under <paramref name="vhostPath"/>.</summary>
    public string PathFor(string vhostPath, int relay) =>
        DirectoryPart(vhostPath) + relay.ToString(CultureInfo.InvariantCulture) + Suffix;

    /// <summary>
    /// The relay below <paramref name="relayCount"/> whose socket path is exactly
    /// <paramref name="path"/>, or null. Only canonical numbers match ("x05" is not relay 5),
    /// as upstream compares whole strings.
    /// </summary>
    public int? RelayFromPath(string vhostPath, string path, int relayCount)
    {
        string head = DirectoryPart(vhostPath);
        if (path.Length <= head.Length + Suffix.Length
            || !path.StartsWith(head, StringComparison.Ordinal)
            || !path.EndsWith(Suffix, StringComparison.Ordinal))
            return null;
        string digits = path[head.Length..^Suffix.Length];
        bool canonical = digits.All(char.IsAsciiDigit) && (digits == "0" || digits[0] != '0');
        return canonical && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int relay)
            && relay < relayCount ? relay : null;
    }

    public override string ToString() => Text;

    private string DirectoryPart(string vhostPath) => vhostPath + "/" + Prefix;
}
