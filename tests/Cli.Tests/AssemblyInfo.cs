// The command tests capture Console.Out and Console.Error, which are process-wide.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
