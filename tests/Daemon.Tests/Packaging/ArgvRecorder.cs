namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>
/// A stand-in for the daemon (VIRTIOFWD_BINARY) or for vfwdctl: a bash script that prints each of
/// its arguments followed by a NUL, so the exact argument vector the service script built can be
/// read back, spaces and all.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class ArgvRecorder
{
    /// <summary>Writes the recorder into <paramref name="directory"/>; returns its path.</summary>
    public static string Create(string directory)
    {
        string path = Path.Combine(directory, "record-argv");
        File.WriteAllText(path, "#!/bin/bash\nprintf '%s\\0' \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>The arguments the recorder printed.</summary>
    public static string[] Read(string stdout)
    {
        if (stdout.Length == 0) return [];
        Assert.EndsWith("\0", stdout);
        return stdout[..^1].Split('\0');
    }
}
