using VirtioForwarder.Daemon.Options;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Daemon.Tests.Options;

public class OwnerResolverTests
{
    [Fact]
    public void RootResolvesToZero()
    {
        Assert.Equal(0, OwnerResolver.ResolveUser(OwnerSpec.Named("root")));
        Assert.Equal(0, OwnerResolver.ResolveGroup(OwnerSpec.Named("root")));
    }

    [Fact]
    public void NamesResolveLikeTheSystemDoes()
    {
        // /etc/passwd and /etc/group carry "name:x:id:..." lines; compare with a name listed there.
        string[] user = File.ReadLines("/etc/passwd").First(l => !l.StartsWith("root:")).Split(':');
        Assert.Equal(int.Parse(user[2]), OwnerResolver.ResolveUser(OwnerSpec.Named(user[0])));
        string[] group = File.ReadLines("/etc/group").First(l => !l.StartsWith("root:")).Split(':');
        Assert.Equal(int.Parse(group[2]), OwnerResolver.ResolveGroup(OwnerSpec.Named(group[0])));
    }

    [Fact]
    public void InheritIsTheProcesssEffectiveIds()
    {
        Assert.Equal(Libc.GetEuid(), OwnerResolver.ResolveUser(OwnerSpec.Inherit));
        Assert.Equal(Libc.GetEgid(), OwnerResolver.ResolveGroup(OwnerSpec.Inherit));
    }

    [Fact]
    public void MissingNamesFailClearly()
    {
        Assert.Equal("Could not get uid for user 'vfwd-no-such-user'",
            Assert.Throws<StartupException>(() => OwnerResolver.ResolveUser(OwnerSpec.Named("vfwd-no-such-user"))).Message);
        Assert.Equal("Could not get gid for group 'vfwd-no-such-group'",
            Assert.Throws<StartupException>(() => OwnerResolver.ResolveGroup(OwnerSpec.Named("vfwd-no-such-group"))).Message);
    }

    [Fact]
    public void OwnerSpecShapes()
    {
        Assert.True(OwnerSpec.Inherit.IsInherit);
        Assert.Null(OwnerSpec.Inherit.Name);
        Assert.Equal("(inherit)", OwnerSpec.Inherit.ToString());
        Assert.Equal("kvm", OwnerSpec.Named("kvm").ToString());
        Assert.Equal(OwnerSpec.Named("kvm"), OwnerSpec.Named("kvm"));
        Assert.NotEqual(OwnerSpec.Inherit, OwnerSpec.Named("kvm"));
        Assert.Throws<ArgumentException>(() => OwnerSpec.Named(""));
    }
}
