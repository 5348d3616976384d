using VirtioForwarder.Daemon;
using VirtioForwarder.Daemon.Options;

var parsed = DaemonOptionsParser.Parse(args);
parsed.WriteTo(Console.Out, Console.Error);
if (parsed.Outcome != ParseOutcome.Run) return parsed.ExitCode;
var options = parsed.Options!;
return options.Daemonize ? DaemonHost.Detach(args) : new DaemonHost(options).Run();
