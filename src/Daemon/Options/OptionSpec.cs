namespace VirtioForwarder.Daemon.Options;

/// <summary>Whether an option takes a value, in getopt_long's three flavours.</summary>
public enum ArgumentKind
{
    /// <summary>A flag: <c>-J</c>, <c>--enable-jumbo</c>; <c>--enable-jumbo=x</c> is an error.</summary>
    None,

    /// <summary><c>-Cval</c>, <c>-C val</c>, <c>--cpus=val</c> or <c>--cpus val</c>.</summary>
    Required,

    /// <summary>Only an attached value counts: <c>-Zval</c>, <c>--zmq-port-control-ep=val</c> (contract §8).</summary>
    Optional,
}

/// <summary>Every option the daemon knows; the parser switches on this, not on spellings.</summary>
public enum OptionId
{
    Cpus, MasterLcore, NoDaemon, LogLevel, PidPath, HugeDir, OvsdbSock,
    ZmqConfigEp, ZmqPortControlEp, ZmqStatsEp, ZmqCoreSchedEp, Ipc,
    VhostUsername, VhostGroupname, VhostPath, VhostSocket, VirtioCpu,
    EnableJumbo, EnableMrgbuf, AddPciVf, VfioVfToken, VhostuserClient, ZeroCopy, EnableTso,
    DynamicSockets, SameNuma, Version,
    ControlSocket, MaxRelays, PortDriver, Poll,
}

/// <summary>
/// One row of the option table. <paramref name="Short"/> is null for our long-only extensions,
/// which are also marked <paramref name="IsExtension"/> so that abbreviations which were unique
/// upstream keep meaning the same option here (see <see cref="GetoptScanner"/>).
/// <paramref name="IsMandatory"/> options must be given unless the version is asked for.
/// </summary>
public sealed record OptionSpec(
    OptionId Id, char? Short, string Long, ArgumentKind Argument, string Help,
    bool IsExtension = false, bool IsMandatory = false);

/// <summary>One option as found on the command line, with the spelling the user typed (for messages).</summary>
public readonly record struct OptionOccurrence(OptionSpec Option, string? Value, string Spelling);
