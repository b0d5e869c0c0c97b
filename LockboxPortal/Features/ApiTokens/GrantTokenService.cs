using System.Security.Claims;
using System.Security.Cryptography;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LockboxPortal.Features.ApiTokens;

/// <summary>The grant is not active now, so no grant token is issued; <see cref="Reason"/> is the access decision's.</summary>
public sealed class GrantNotActiveException(AccessDecisionReason reason)
    : LockboxRuleException($"This request has no active grant ({reason}).")
{
    public AccessDecisionReason Reason { get; } = reason;

    public override string Code => "grant-not-active";
}

public sealed record IssuedGrantToken(string Token, DateTimeOffset ExpiresAt, string KeyId);

/// <summary>One published public key, as RFC 7517 names its members.</summary>
public sealed record PublishedKey(string Kty, string Use, string Alg, string Crv, string Kid, string X, string Y);

public sealed record JsonWebKeys(IReadOnlyList<PublishedKey> Keys);

/// <summary>
/// Grant tokens: short JWTs (ES256) that name tenant, engineer, scope, access level and request, so a data plane can
/// verify a grant offline against <c>/.well-known/jwks.json</c>. A token lives at most <see cref="MaxLifetime"/>
/// and never past the grant's end. Signing keys are stored (private half under Data Protection), survive restarts,
/// and rotate; a retired key stays published until every token it signed has expired.
/// </summary>
public sealed class GrantTokenService(
    IDbContextFactory<LockboxDbContext> dbFactory,
    LockboxTransactions transactions,
    RequestGate gate,
    IDataProtectionProvider dataProtection,
    GrantSigningKeyCache cache,
    AuditWriter audit,
    TimeProvider time)
{
    public const string Issuer = "lockboxportal";
    public const string Audience = "lockbox-data-plane";
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    /// <summary>How long a retired key stays published: its tokens' lifetime, plus room for clock skew.</summary>
    public static readonly TimeSpan RetiredKeyPublished = MaxLifetime + TimeSpan.FromMinutes(5);

    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    private readonly IDataProtector _protector = dataProtection.CreateProtector("LockboxPortal.GrantSigningKeys.v1");
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>For the requesting engineer while the grant is active; anyone else who may see the request is refused.</summary>
    public async Task<IssuedGrantToken> IssueAsync(ClaimsPrincipal principal, Guid requestId, CancellationToken cancellationToken = default)
    {
        GatedRequest loaded;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            loaded = await gate.LoadForAsync(db, principal, requestId, RequestOperations.IssueGrantToken, cancellationToken);
        }

        var request = loaded.Request;
        var now = time.GetUtcNow();

        // The one decision function says whether the grant is active now, as for the access check.
        var verdict = AccessDecision.EvaluateOne(new AccessQuery(request.TenantId, request.RequesterId, request.ParsedScope, request.AccessLevel), request, now);
        if (!verdict.IsAllowed)
        {
            throw new GrantNotActiveException(verdict.Reason);
        }

        var expires = now + MaxLifetime < verdict.GrantEndsAt!.Value ? now + MaxLifetime : verdict.GrantEndsAt.Value;
        var credentials = await SigningCredentialsAsync(cancellationToken);
        var tenant = await TenantShortNameAsync(request.TenantId, cancellationToken);
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = credentials,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = request.RequesterId,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString(),
                ["tenant"] = request.TenantId.ToString(),
                ["tenant_name"] = tenant,
                ["engineer"] = request.RequesterId,
                ["scope"] = request.Scope,
                ["access_level"] = request.AccessLevel.ToString(),
                ["request_id"] = request.Id.ToString(),
                ["request_ref"] = request.Reference,
            },
        });

        await transactions.RunAsync(db => audit.AppendAsync(db, new AuditRecord(
            AuditEventType.GrantToken_Issued, new Actor(request.RequesterId, request.RequesterName), request.TenantId, RequestGate.Subject, request.Id.ToString(),
            AuditRecord.Details(new { request.Reference, KeyId = credentials.Key.KeyId, ExpiresAt = expires }), Client: loaded.User.Client)), cancellationToken);
        return new IssuedGrantToken(token, expires, credentials.Key.KeyId);
    }

    /// <summary>The keys a verifier should trust now: the signing key and retired keys whose tokens may still be valid.</summary>
    public async Task<JsonWebKeys> PublishedKeysAsync(CancellationToken cancellationToken = default)
    {
        await SigningCredentialsAsync(cancellationToken);
        var cutoff = time.GetUtcNow() - RetiredKeyPublished;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keys = await db.GrantSigningKeys.AsNoTracking().Where(k => k.RetiredAt == null || k.RetiredAt > cutoff)
            .OrderByDescending(k => k.CreatedAt).ToListAsync(cancellationToken);
        return new JsonWebKeys(keys.Select(k => new PublishedKey("EC", "sig", SecurityAlgorithms.EcdsaSha256, "P-256", k.Id, k.PublicX, k.PublicY)).ToList());
    }

    /// <summary>Retires the signing key and starts a new one (from the console); returns the new key id.</summary>
    public async Task<string> RotateAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        var id = await transactions.RunAsync(async db =>
        {
            var now = time.GetUtcNow();
            var current = await db.GrantSigningKeys.Where(k => k.RetiredAt == null).ToListAsync(cancellationToken);
            current.ForEach(k => k.Retire(now));
            var key = NewKey(now);
            db.GrantSigningKeys.Add(key);
            await audit.AppendAsync(db, new AuditRecord(AuditEventType.SigningKey_Rotated, actor, null, "GrantSigningKey", key.Id,
                AuditRecord.Details(new { Retired = current.Select(k => k.Id).ToList() })), cancellationToken);
            return key.Id;
        }, cancellationToken);
        cache.Current = null;
        return id;
    }

    private async Task<SigningCredentials> SigningCredentialsAsync(CancellationToken cancellationToken)
    {
        if (cache.Current is { } cached && time.GetUtcNow() - cached.LoadedAt < CacheFor)
        {
            return cached.Credentials;
        }

        // Created inside a transaction, so two instances starting together agree on one key.
        var key = await transactions.RunAsync(async db =>
        {
            var active = await db.GrantSigningKeys.Where(k => k.RetiredAt == null).OrderByDescending(k => k.CreatedAt).FirstOrDefaultAsync(cancellationToken);
            if (active is null)
            {
                active = NewKey(time.GetUtcNow());
                db.GrantSigningKeys.Add(active);
            }

            return active;
        }, cancellationToken);

        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(_protector.Unprotect(Convert.FromBase64String(key.ProtectedPrivateKey)), out _);
        var credentials = new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = key.Id }, SecurityAlgorithms.EcdsaSha256);
        cache.Current = (credentials, time.GetUtcNow());
        return credentials;
    }

    private GrantSigningKey NewKey(DateTimeOffset now)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        var kid = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12));
        var protectedKey = Convert.ToBase64String(_protector.Protect(ecdsa.ExportPkcs8PrivateKey()));
        return new GrantSigningKey(kid, now, Base64UrlEncoder.Encode(parameters.Q.X!), Base64UrlEncoder.Encode(parameters.Q.Y!), protectedKey);
    }

    private async Task<string> TenantShortNameAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.ShortName).SingleAsync(cancellationToken);
    }
}

/// <summary>The signing key in use, kept for a minute so issuing a token does not decrypt the key every time.</summary>
public sealed class GrantSigningKeyCache
{
    public (SigningCredentials Credentials, DateTimeOffset LoadedAt)? Current { get; set; }
}
