namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// A QEMU TCG guest (q35, PVH-booted <see cref="GuestImage"/>) whose virtio-net-pci NIC is a
/// vhost-user frontend. Its serial console goes to a file that <see cref="WaitForSerial"/> reads;
/// after its /init has run the guest powers off and QEMU exits with status 0.
/// </summary>
public sealed class QemuGuest : IDisposable
{
    private QemuGuest(ManagedProcess process, string serialPath)
    {
        Process = process;
        SerialPath = serialPath;
    }

    public ManagedProcess Process { get; }

    public string SerialPath { get; }

    /// <summary>The serial console so far.</summary>
    public string SerialText
    {
        get
        {
            if (!File.Exists(SerialPath))
                return "";
            using var reader = new StreamReader(new FileStream(SerialPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            return reader.ReadToEnd();
        }
    }

    /// <summary>
    /// Starts QEMU. With <see cref="VhostSocketRole.FrontendListens"/> QEMU blocks until the
    /// backend connects (its chardev's wait=off does not help vhost-user); wait for the socket with
    /// <see cref="SocketFile.WaitFor"/> and start the backend.
    /// </summary>
    public static QemuGuest Start(QemuGuestOptions options, TestWorkDir workDir, string name = "guest")
    {
        var image = GuestImage.Get();
        var serialPath = workDir.File($"{name}.serial.log");
        var command = new CommandLine("qemu-system-x86_64",
        [
            "-machine", "q35,accel=tcg,memory-backend=mem0",
            "-smp", options.Cpus.ToString(),
            "-m", $"{options.MemoryMiB}M",
            "-object", MemoryBackend(options),
            "-kernel", image.KernelPath,
            "-initrd", image.InitrdPath,
            "-append", options.Guest.KernelCommandLine(),
            "-chardev", Chardev(options),
            "-netdev", $"vhost-user,id=net0,chardev=chr0,queues={options.Queues}",
            "-device", Device(options),
            "-nodefaults", "-no-user-config", "-display", "none", "-monitor", "none",
            "-serial", $"file:{serialPath}",
            // A guest panic (panic=-1) or reboot ends QEMU instead of looping.
            "-no-reboot",
        ]);
        return new QemuGuest(ManagedProcess.Start(command, workDir.File($"{name}.qemu.log")), serialPath);
    }

    /// <summary>
    /// Waits for a serial line containing <paramref name="text"/> (see <see cref="GuestSerial"/>).
    /// Throws, with the console and QEMU's log, on timeout or when QEMU has exited without it.
    /// </summary>
    public void WaitForSerial(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            // Read the exit state first: a line printed just before the exit is still seen.
            var exited = Process.HasExited;
            if (SerialText.Contains(text, StringComparison.Ordinal))
                return;
            if (exited)
                throw new InvalidOperationException($"QEMU exited ({Process.ExitCode}) without {text}; {Diagnostics()}");
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"no {text} within {timeout}; {Diagnostics()}");
            Thread.Sleep(100);
        }
    }

    /// <summary>Waits for the guest to power off and returns QEMU's exit status (0 after poweroff).</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!Process.WaitForExit(timeout))
            throw new TimeoutException($"QEMU still running after {timeout}; {Diagnostics()}");
        return Process.ExitCode;
    }

    /// <summary>The GUEST-* lines of the console and QEMU's own log, for assertion messages.</summary>
    public string Diagnostics()
    {
        var guestLines = SerialText.Split('\n').Where(line => line.Contains("GUEST-") || line.Contains("Kernel panic"));
        return "serial:\n" + string.Join('\n', guestLines) + "\nqemu: " + Process.LogTail(20);
    }

    public void Dispose() => Process.Dispose();

    // Guest RAM must be shared: the backend maps it. -m must equal the object's size.
    private static string MemoryBackend(QemuGuestOptions options) =>
        options.HugepageMemory
            ? $"memory-backend-file,id=mem0,size={options.MemoryMiB}M,mem-path=/dev/hugepages,share=on,prealloc=on"
            : $"memory-backend-memfd,id=mem0,size={options.MemoryMiB}M,share=on";

    private static string Chardev(QemuGuestOptions options) =>
        $"socket,id=chr0,path={options.SocketPath}" + (options.Role, options.Reconnect) switch
        {
            (VhostSocketRole.FrontendListens, _) => ",server=on,wait=off",
            (VhostSocketRole.BackendListens, true) => ",reconnect=1",
            _ => "",
        };

    // vectors=0: QEMU 7.2 under TCG segfaults with MSI-X on a vhost-user NIC when the driver sets
    // DRIVER_OK (it takes the KVM irqfd path); without MSI-X the NIC uses INTx.
    private static string Device(QemuGuestOptions options) =>
        $"virtio-net-pci,netdev=net0,mac={options.Mac},vectors=0"
        + (options.Queues > 1 ? ",mq=on" : "")
        + (options.DeviceOptions is { } extra ? "," + extra : "");
}
