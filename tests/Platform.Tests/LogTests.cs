using VirtioForwarder.Platform;

namespace VirtioForwarder.Platform.Tests;

public sealed class LogTests
{
    [Fact]
    public void Console_lines_have_upstreams_shape_and_respect_the_threshold()
    {
        var sink = new StringWriter();
        Log.UseConsole(sink);
        var before = Log.Threshold;
        try
        {
            Log.Threshold = LogLevel.Info;
            Log.Error("disk on fire");
            Log.Debug("not shown");
        }
        finally
        {
            Log.Threshold = before;
            Log.UseConsole(Console.Out);
        }
        string text = sink.ToString();
        // "Mon DD HH:MM:SS file:line(func) C message", C = '*' for level 3 (error).
        Assert.Matches(@"^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d LogTests:\d+\(Console_lines_have_upstreams_shape_and_respect_the_threshold\) \* disk on fire\r?\n$", text);
    }
}
