using System.CommandLine;
using VirtioForwarder.Cli;

var root = new RootCommand("vfwdctl: operate a running virtio-forwarder daemon");
root.Subcommands.Add(StatsCommand.Create());
return root.Parse(args).Invoke();
