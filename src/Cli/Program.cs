using VirtioForwarder.Cli;

return VfwdctlCommand.Create().Parse(args).Invoke();
