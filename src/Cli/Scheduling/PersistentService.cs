using Google.Protobuf;

namespace VirtioForwarder.Cli.Scheduling;

/// <summary>
/// A service the long-running commands keep asking until it answers, as upstream's
/// reconnect_send_recv does (docs/control-contract.md §7.5): on a timeout the socket is reopened
/// and the request sent again every retry interval, until the stop signal.
/// </summary>
internal sealed class PersistentService(ServiceClient client, string name, SchedLog log, StopSignal stop, TimeSpan retryInterval) : IDisposable
{
    public ServiceClient Client => client;

    /// <summary>
    /// The reply, and whether the service had to be reconnected first; null if a stop was
    /// requested while it did not answer.
    /// </summary>
    public (TReply Reply, bool Reconnected)? Request<TReply>(IMessage request, MessageParser<TReply> parser) where TReply : IMessage<TReply>
    {
        bool reconnected = false;
        while (true)
        {
            try
            {
                var reply = client.Request(request, parser);
                if (reconnected)
                    log.Write(SchedLog.Error, $"Reconnected to {name} server");
                return (reply, reconnected);
            }
            catch (ServiceTimeoutException)
            {
                if (stop.Requested)
                {
                    log.Write(SchedLog.Warning, "ZMQ server unreachable on exit. Forcing exit");
                    return null;
                }
                reconnected = true;
                log.Write(SchedLog.Error, $"No response from {name} server at {client.Endpoint}. Reconnecting...");
                client.Reconnect();
                if (stop.Wait(retryInterval))
                    return null;
            }
        }
    }

    public void Dispose() => client.Dispose();
}
