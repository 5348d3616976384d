using System.Collections.Concurrent;
using VirtioForwarder.Control.FileIpc;

namespace VirtioForwarder.Control.Tests.FileIpc;

/// <summary>The file-IPC thread on a real directory with real inotify.</summary>
public sealed class FileIpcMonitorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vfwd-ipc-").FullName;
    private readonly ConcurrentQueue<string> _changes = new();

    private string CommandFile => Path.Combine(_directory, "vio_cmd");

    private FileIpcMonitor Monitor(string path) => new(path, c => _changes.Enqueue(c.ToString()));

    private void WaitForChanges(params string[] expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((_changes.Count < expected.Length || File.Exists(CommandFile)) && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.Equal(expected, _changes.ToArray());
        Assert.False(File.Exists(CommandFile), "the command file is deleted after reading");
        _changes.Clear();
    }

    [Fact]
    public void Each_written_file_is_one_command_and_is_deleted()
    {
        using var monitor = Monitor(CommandFile);
        File.WriteAllText(CommandFile, "add_port veth1 3\n");
        WaitForChanges("add veth1 (relay 3)");
        File.WriteAllText(CommandFile, "del_port veth1 3\n");
        WaitForChanges("remove veth1 (relay 3)");
    }

    [Fact]
    public void A_file_moved_into_place_and_one_there_at_start_are_taken()
    {
        File.WriteAllText(CommandFile, "add_port eth1");
        using var monitor = Monitor(CommandFile);
        WaitForChanges("add eth1");
        string staged = Path.Combine(_directory, "staged");
        File.WriteAllText(staged, "del_port eth1");
        File.Move(staged, CommandFile);
        WaitForChanges("remove eth1");
    }

    [Fact]
    public void Garbage_is_deleted_and_the_next_command_still_works()
    {
        using var monitor = Monitor(CommandFile);
        File.WriteAllText(CommandFile, "hello");
        WaitForChanges();
        File.WriteAllText(CommandFile, "add_port eth2");
        WaitForChanges("add eth2");
    }

    [Fact]
    public void A_directory_made_after_start_is_watched_once_it_exists()
    {
        string later = Path.Combine(_directory, "later");
        using var monitor = Monitor(Path.Combine(later, "vio_cmd"));
        Thread.Sleep(200);
        Directory.CreateDirectory(later);
        File.WriteAllText(Path.Combine(later, "vio_cmd"), "add_port eth3");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_changes.IsEmpty && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.Equal(["add eth3"], _changes.ToArray());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
