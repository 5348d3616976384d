namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// The daemon's command line, parsed and validated as upstream does (contract §8): options in
/// getopt_long syntax, then the mandatory check (skipped by -v), then stray arguments, then the
/// checks across options. Any error → <see cref="ParseOutcome.Fail"/> with usage text, exit code 1.
/// </summary>
public static class DaemonOptionsParser
{
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="environment">Outside inputs; by default read from the process environment.</param>
    public static ParseResult Parse(IReadOnlyList<string> args, ParserEnvironment? environment = null)
    {
        IReadOnlyList<OptionSpec> table = DaemonOptionTable.All;
        try
        {
            var scanner = new GetoptScanner(args, table);
            var builder = new DaemonOptionsBuilder(environment ?? ParserEnvironment.FromProcess());
            foreach (OptionOccurrence occurrence in scanner.Scan())
                builder.Apply(occurrence);

            bool version = builder.WasGiven(OptionId.Version);
            var omitted = table.Where(o => o.IsMandatory && !builder.WasGiven(o.Id)).ToArray();
            if (!version && omitted.Length > 0)
                throw new CommandLineException("The following mandatory options were omitted: "
                    + string.Join(", ", omitted.Select(o => $"-{o.Short} --{o.Long}")));
            // Upstream tolerates operands once a "--" was given, wherever they stand (it checks the word
            // before the first operand after getopt has permuted them behind the "--").
            if (scanner.Operands.Count > 0 && !scanner.SawDoubleDash)
                throw new CommandLineException($"Unhandled extra option '{scanner.Operands[0]}'");

            return version ? ParseResult.Version(VersionBanner.Current) : ParseResult.Run(builder.Build());
        }
        catch (CommandLineException e)
        {
            return ParseResult.Fail(e.Message, UsageText.For(table));
        }
    }
}
