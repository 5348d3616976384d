namespace VirtioForwarder.Cli.Tests;

/// <summary>Runs vfwdctl's command tree in-process and captures what it prints.</summary>
internal static class Vfwdctl
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var (savedOut, savedError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int exitCode = VfwdctlCommand.Create().Parse(VfwdctlCommand.WithoutEmptyValues(args)).Invoke();
            return new Result(exitCode, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedError);
        }
    }
}
