using System.CommandLine;
using VirtioForwarder.Cli.Text;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli;

/// <summary>
/// <c>vfwdctl config</c>: upstream's virtioforwarder_config.py (docs/control-contract.md §7.4):
/// an empty request, the reply printed in text format (the daemon's startup pins, §6).
/// </summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var endpoint = Endpoints.ConfigOption();
        var command = new Command("config", "print the relay CPU pins the daemon was started with (config service)") { endpoint };
        CommandAction.Set(command, result =>
        {
            using var client = new ServiceClient(result.GetValue(endpoint)!);
            var reply = client.Request(new ConfigRequest(), ConfigResponse.Parser);
            // Python's print(reply): the text format plus one more newline.
            Console.WriteLine(ProtobufText.Format(reply));
            return reply.Status == ConfigResponse.Types.Status.Ok ? 0 : 1;
        });
        return command;
    }
}
