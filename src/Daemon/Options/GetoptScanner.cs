namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// Splits a command line into options the way glibc's <c>getopt_long</c> does for upstream's
/// option string (contract §8):
/// <list type="bullet">
/// <item>short options cluster (<c>-dJ</c>); a required value is the rest of the cluster or the
///   next word, whatever it looks like (<c>-C -d</c> gives <c>-C</c> the value <c>-d</c>);</item>
/// <item>an optional value must be attached (<c>-Zx</c>, <c>--name=x</c>); a following word is an
///   operand, never the value;</item>
/// <item>long options may be abbreviated to any unique prefix; an exact name always wins;</item>
/// <item>operands do not stop the scan (glibc permutes them to the end); <c>--</c> does, and
///   everything after it is an operand.</item>
/// </list>
/// Options are yielded lazily, so a value error in an earlier option is reported before a syntax
/// error in a later one, as upstream's callbacks run while getopt scans.
/// </summary>
public sealed class GetoptScanner(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> table)
{
    private readonly List<string> _operands = [];
    private int _next;

    /// <summary>Words that are not options, in command-line order; complete once <see cref="Scan"/> has finished.</summary>
    public IReadOnlyList<string> Operands => _operands;

    /// <summary>True once a <c>--</c> word has been seen.</summary>
    public bool SawDoubleDash { get; private set; }

    /// <summary>The options in command-line order. Throws <see cref="CommandLineException"/> at the first bad one.</summary>
    public IEnumerable<OptionOccurrence> Scan()
    {
        while (_next < args.Count)
        {
            string word = args[_next++];
            if (word == "--")
            {
                SawDoubleDash = true;
                _operands.AddRange(args.Skip(_next));
                _next = args.Count;
            }
            else if (word.Length < 2 || word[0] != '-')
                _operands.Add(word); // includes "-" alone, as getopt treats it
            else if (word[1] == '-')
                yield return ScanLong(word[2..]);
            else
                foreach (var occurrence in ScanCluster(word))
                    yield return occurrence;
        }
    }

    private OptionOccurrence ScanLong(string body)
    {
        int equals = body.IndexOf('=');
        string name = equals < 0 ? body : body[..equals];
        string? attached = equals < 0 ? null : body[(equals + 1)..];
        if (name.Length == 0) throw new CommandLineException($"Unknown option '--{body}'");
        OptionSpec spec = FindLong(name);
        string spelling = "--" + spec.Long;
        string? value = spec.Argument switch
        {
            ArgumentKind.None when attached is not null =>
                throw new CommandLineException($"Option '{spelling}' does not take a value"),
            ArgumentKind.Required => attached ?? TakeNextWord(spelling),
            _ => attached,
        };
        return new OptionOccurrence(spec, value, spelling);
    }

    private IEnumerable<OptionOccurrence> ScanCluster(string word)
    {
        for (int at = 1; at < word.Length; at++)
        {
            OptionSpec spec = FindShort(word[at]);
            string spelling = "-" + word[at];
            if (spec.Argument == ArgumentKind.None)
            {
                yield return new OptionOccurrence(spec, null, spelling);
                continue;
            }
            // A value-taking option swallows the rest of the cluster: "-nd" is --nodaemon=d.
            string rest = word[(at + 1)..];
            string? value = rest.Length > 0 ? rest
                : spec.Argument == ArgumentKind.Required ? TakeNextWord(spelling)
                : null;
            yield return new OptionOccurrence(spec, value, spelling);
            yield break;
        }
    }

    private string TakeNextWord(string spelling) =>
        _next < args.Count ? args[_next++]
            : throw new CommandLineException($"Missing argument for option '{spelling}'");

    private OptionSpec FindShort(char c) =>
        table.FirstOrDefault(o => o.Short == c)
            ?? throw new CommandLineException($"Unknown option '-{c}'");

    private OptionSpec FindLong(string name)
    {
        if (table.FirstOrDefault(o => o.Long == name) is { } exact) return exact;
        var candidates = table.Where(o => o.Long.StartsWith(name, StringComparison.Ordinal)).ToList();
        // Our extensions must not make an abbreviation that was unique upstream ambiguous
        // ("--m" is still --master-lcore, not also --max-relays): upstream names win ties.
        if (candidates.Count > 1 && candidates.Count(o => !o.IsExtension) == 1)
            return candidates.Single(o => !o.IsExtension);
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new CommandLineException($"Unknown option '--{name}'"),
            _ => throw new CommandLineException(
                $"Option '--{name}' is ambiguous; possibilities: {string.Join(" ", candidates.Select(o => "--" + o.Long))}"),
        };
    }
}
