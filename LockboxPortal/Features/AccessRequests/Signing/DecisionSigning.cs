using System.Buffers.Text;
using System.Security.Claims;
using System.Text.Json;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.AccessRequests.Signing;

/// <summary>What a decision dialog hands to <c>navigator.credentials.get()</c>, and the moment of signing it sends back.</summary>
public sealed record DecisionSigningOptions(string OptionsJson, DateTimeOffset SignedAt);

/// <summary>
/// The WebAuthn request for signing one decision with a passkey: its challenge is the decision's statement
/// (<see cref="DecisionStatement"/>) as the request stands now, by this person, at this moment. Asking for it changes
/// nothing and proves nothing; the decision itself checks the answer against the statement it rebuilds.
/// </summary>
public sealed class DecisionSigning(
    IDbContextFactory<LockboxDbContext> dbFactory, RequestGate gate, FreshFactorCheck freshFactors, ClientContext client, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Null when the request is not visible to this person, they have no passkey, or the address is unknown.</summary>
    public async Task<DecisionSigningOptions?> OptionsAsync(
        ClaimsPrincipal principal, Guid requestId, string outcome, TimeSpan? allowedDuration = null, CancellationToken cancellationToken = default)
    {
        if (outcome is not (DecisionStatement.Approve or DecisionStatement.Reject or DecisionStatement.Revoke))
        {
            throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not a decision outcome.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await gate.FindVisibleAsync(db, principal, requestId, cancellationToken) is not { } visible || client.Current?.Origin is not { } origin)
        {
            return null;
        }

        var credentials = await db.Set<Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>>()
            .Where(p => p.UserId == visible.User.UserId).Select(p => p.CredentialId).ToListAsync(cancellationToken);
        if (credentials.Count == 0)
        {
            return null;
        }

        var signedAt = time.GetUtcNow();
        var statement = DecisionStatement.For(visible.Request, outcome, visible.User.UserId, signedAt, allowedDuration);
        var options = new
        {
            Challenge = Base64Url.EncodeToString(statement.Challenge()),
            RpId = freshFactors.RpIdFor(origin),
            AllowCredentials = credentials.Select(id => new { Type = "public-key", Id = Base64Url.EncodeToString(id) }),
            UserVerification = "required",
            Timeout = 120_000,
        };
        return new DecisionSigningOptions(JsonSerializer.Serialize(options, Json), signedAt);
    }
}
