using System.Security.Cryptography;
using System.Text;
using LockboxPortal.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace LockboxPortal.Features.Tenants;

/// <summary>
/// Identity's user store, with one change: two-factor recovery codes are kept only as SHA-256 hashes, like API tokens
/// and invitation links, so a copy of the database does not hand out codes that get past the second factor.
/// </summary>
public sealed class LockboxUserStore(LockboxDbContext context, IdentityErrorDescriber? describer = null)
    : UserOnlyStore<PortalUser, LockboxDbContext>(context, describer)
{
    private const string Provider = "LockboxPortal";
    private const string RecoveryCodeHashes = "RecoveryCodeHashes";

    public override Task ReplaceCodesAsync(PortalUser user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken) =>
        SetTokenAsync(user, Provider, RecoveryCodeHashes, string.Join(';', recoveryCodes.Select(Hash)), cancellationToken);

    public override async Task<bool> RedeemCodeAsync(PortalUser user, string code, CancellationToken cancellationToken)
    {
        var hashes = await HashesAsync(user, cancellationToken);
        var hash = Hash(code);
        if (!hashes.Contains(hash, StringComparer.Ordinal))
        {
            return false;
        }

        await SetTokenAsync(user, Provider, RecoveryCodeHashes, string.Join(';', hashes.Where(h => h != hash)), cancellationToken);
        return true;
    }

    public override async Task<int> CountCodesAsync(PortalUser user, CancellationToken cancellationToken) =>
        (await HashesAsync(user, cancellationToken)).Length;

    private async Task<string[]> HashesAsync(PortalUser user, CancellationToken cancellationToken) =>
        (await GetTokenAsync(user, Provider, RecoveryCodeHashes, cancellationToken) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Codes are compared as typed, minus spaces and dashes people add when copying them.</summary>
    private static string Hash(string code) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(code.Replace(" ", "").Replace("-", "").ToUpperInvariant())));
}
