using VirtioForwarder.Control.FileIpc;

namespace VirtioForwarder.Control.Tests.FileIpc;

public sealed class IpcCommandTests
{
    [Theory]
    [InlineData("add_port eth1", "add eth1")]
    [InlineData("add_port eth1\n", "add eth1")]
    [InlineData("del_port eth1", "remove eth1")]
    [InlineData("a eth1", "add eth1")]                        // upstream compares only the first character
    [InlineData("delete_port veth3 7 extra", "remove veth3 (relay 7)")]
    [InlineData("add_port veth3 12\nadd_port other", "add veth3 (relay 12)")]  // one command a file
    public void Commands_parse(string text, string change) =>
        Assert.Equal(change, IpcCommand.Parse(text, out _)?.ToString());

    [Theory]
    [InlineData("")]
    [InlineData("add_port")]
    [InlineData("x_port eth1")]
    [InlineData(" add_port eth1")]
    [InlineData("add_port eth1 relay3")]
    public void Other_text_is_refused_with_a_reason(string text)
    {
        Assert.Null(IpcCommand.Parse(text, out string problem));
        Assert.NotEmpty(problem);
    }
}
