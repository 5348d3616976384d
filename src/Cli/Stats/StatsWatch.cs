using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Stats;

/// <summary>
/// <c>stats --watch</c>: asks for stats every interval and redraws <see cref="StatsTable"/> until
/// Ctrl-C. A daemon that stops answering is reported in place and asked again next time.
/// </summary>
internal static class StatsWatch
{
    // Home the cursor and clear the screen, as `clear` does.
    private const string ClearScreen = "\u001b[H\u001b[2J";

    public static int Run(string endpoint, StatsRequest request, TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero)
            throw new CliException("--watch needs a positive interval");
        using var stop = new StopSignal();
        using var client = StatsCommand.Connect(endpoint, request);
        do
        {
            string screen;
            try
            {
                var reply = client.Request(request, StatsResponse.Parser);
                screen = reply.Status == StatsResponse.Types.Status.Ok
                    ? StatsTable.Render(reply)
                    : $"StatsResponse: {reply.Status.ToString().ToUpperInvariant()}\n";
            }
            catch (ServiceTimeoutException e)
            {
                client.Reconnect();
                screen = e.Message + "\n";
            }
            Console.Write($"{ClearScreen}{DateTime.Now:HH:mm:ss}  {endpoint}, rates over {request.Delay} ms\n\n{screen}");
        }
        while (!stop.Requested && !stop.Wait(interval));
        return 0;
    }
}
