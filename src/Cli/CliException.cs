namespace VirtioForwarder.Cli;

/// <summary>A failure to report to the operator as one line on stderr, with exit status 1.</summary>
internal class CliException(string message) : Exception(message);

/// <summary>A service did not answer in time (upstream's clients die with zmq.Again here, §7.0).</summary>
internal sealed class ServiceTimeoutException(string endpoint, int timeoutMilliseconds)
    : CliException($"no reply from {endpoint} within {timeoutMilliseconds} ms: is the daemon running with that service enabled?")
{
    public string Endpoint { get; } = endpoint;
}
