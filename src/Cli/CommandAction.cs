using System.CommandLine;

namespace VirtioForwarder.Cli;

/// <summary>Runs a subcommand so that any <see cref="CliException"/> becomes one stderr line and exit status 1.</summary>
internal static class CommandAction
{
    public static void Set(Command command, Func<ParseResult, int> run) =>
        command.SetAction(result =>
        {
            try
            {
                return run(result);
            }
            catch (CliException e)
            {
                Console.Error.WriteLine($"vfwdctl: {e.Message}");
                return 1;
            }
        });
}
