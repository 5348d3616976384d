namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>The lines the guest's /init prints on its serial console.</summary>
public static class GuestSerial
{
    public const string PingOk = "GUEST-PING-OK";
    public const string PingFail = "GUEST-PING-FAIL";
    public const string Waiting = "GUEST-WAITING";
    public const string Ping2Ok = "GUEST-PING2-OK";
    public const string Ping2Fail = "GUEST-PING2-FAIL";
}
