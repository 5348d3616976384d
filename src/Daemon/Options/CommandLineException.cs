namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// A command-line error: unknown option, missing or invalid value, stray argument. The parser turns
/// it into a failed <see cref="ParseResult"/> (usage text, exit code 1, contract §8).
/// </summary>
public sealed class CommandLineException(string message) : Exception(message);

/// <summary>
/// A failure while acting on valid options (pid-file lock, socket owner lookup). The daemon logs the
/// message and picks the exit code the contract gives for that step (§8.3).
/// </summary>
public sealed class StartupException(string message) : Exception(message);
