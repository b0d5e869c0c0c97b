using LockboxPortal.Data;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>Puts an authenticator app in a person's account as enrolling would leave it: the key stored by Identity, two-factor on.</summary>
public static class Authenticators
{
    /// <summary>Base32 of 20 bytes, as Identity makes keys.</summary>
    public const string Key = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    /// <summary>Enrols the person with id or email <paramref name="who"/>; returns the key their app computes codes from.</summary>
    public static async Task<string> EnrolAsync(LockboxDbContext db, string who)
    {
        var user = await db.Users.SingleAsync(u => u.Id == who || u.Email == who);
        var store = new LockboxUserStore(db) { AutoSaveChanges = false };
        await store.SetAuthenticatorKeyAsync(user, Key, CancellationToken.None);
        user.TwoFactorEnabled = true;
        await db.SaveChangesAsync();
        return Key;
    }
}
