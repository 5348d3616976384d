// Every whole-product test runs pollers (testpmd, the daemon) and TCG guests; the machine may
// have only two CPUs, so two such tests at once would starve each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
