using VirtioForwarder.Cli;

return VfwdctlCommand.Create().Parse(VfwdctlCommand.WithoutEmptyValues(args)).Invoke();
