using System.Security.Claims;
using System.Text.Encodings.Web;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Features.ApiTokens;

public static class ApiTokenDefaults
{
    /// <summary>The API's own scheme. API endpoints require it, so a portal cookie never authenticates an API call.</summary>
    public const string Scheme = "LockboxToken";

    /// <summary>Calls by a person's token: every endpoint but the access check; the services decide the rest.</summary>
    public const string PersonPolicy = "ApiPerson";

    /// <summary>Calls by a service client's token: only the access check.</summary>
    public const string ServiceClientPolicy = "ApiServiceClient";

    public const string KindClaim = "lockbox:token-kind";
    public const string TokenIdClaim = "lockbox:token-id";

    public static void AddApiTokenPolicies(this AuthorizationOptions options)
    {
        options.AddPolicy(PersonPolicy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
            .RequireClaim(KindClaim, nameof(ApiTokenKind.Personal)));
        options.AddPolicy(ServiceClientPolicy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
            .RequireClaim(KindClaim, nameof(ApiTokenKind.ServiceClient)));
    }
}

/// <summary>
/// How a token is read from <c>Authorization</c>, the same for authentication and for the rate limiter in front of it,
/// so that every spelling the handler accepts counts against one budget.
/// </summary>
public static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <summary>The secret after "Bearer" (in any case, spaces around it trimmed); null when the header names another scheme or none.</summary>
    public static string? Read(string? header)
    {
        var value = header?.Trim() ?? "";
        return value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? value[Scheme.Length..].Trim() : null;
    }

    /// <summary>Could this be one of the portal's tokens? Anything else is refused without a look-up.</summary>
    public static bool HasTokenShape(string secret) =>
        secret.Length is > 0 and <= 200
        && (secret.StartsWith(ApiToken.PersonalPrefix, StringComparison.Ordinal) || secret.StartsWith(ApiToken.ClientPrefix, StringComparison.Ordinal));
}

/// <summary>
/// <c>Authorization: Bearer lbxp_...</c>: looks the token up by its hash on every call, so a revoked or expired
/// token, or one whose owner was deactivated, stops working at once; a service client's token is remembered for up to
/// a minute (<see cref="ServiceClientTokenCache"/>) until a revocation, which every node hears, removes it. A personal token's principal carries the
/// owner's user id, so the services load the owner's roles from storage exactly as for a signed-in person. A service
/// client's principal names no user, so every service refuses it; only the access check accepts it.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IDbContextFactory<LockboxDbContext> dbFactory,
    RecentlyAuthenticatedTokens recentTokens,
    ServiceClientTokenCache clients,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>"Last used" is a hint for people, not an audit record; writing it at most this often keeps calls cheap.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerToken.Read(Request.Headers.Authorization.ToString()) is not { } secret)
        {
            return AuthenticateResult.NoResult();
        }

        if (!BearerToken.HasTokenShape(secret))
        {
            return AuthenticateResult.Fail("Not a LockboxPortal token.");
        }

        var hash = Tenants.SecretToken.Hash(secret);
        if (clients.Find(hash) is { } remembered)
        {
            // The data plane's hot path: a service client seen lately, and not revoked since, needs no read.
            recentTokens.Remember(hash);
            return Authenticated(ServiceClientClaims(remembered.TokenId, remembered.Name));
        }

        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(Context.RequestAborted);
        var token = await db.ApiTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, Context.RequestAborted);
        if (token is null || !token.IsUsable(now))
        {
            recentTokens.Forget(hash);
            return AuthenticateResult.Fail("The token is unknown, expired or revoked.");
        }

        List<Claim> claims;
        if (token.Kind == ApiTokenKind.Personal)
        {
            claims = [new(ApiTokenDefaults.KindClaim, token.Kind.ToString()), new(ApiTokenDefaults.TokenIdClaim, token.Id.ToString())];
            var owner = await db.Users.AsNoTracking().Where(u => u.Id == token.OwnerId && u.IsActive).Select(u => new { u.Id, u.DisplayName, u.UserName })
                .SingleOrDefaultAsync(Context.RequestAborted);
            if (owner is null)
            {
                recentTokens.Forget(hash);
                return AuthenticateResult.Fail("The token's owner is not active.");
            }

            claims.Add(new Claim(ClaimTypes.NameIdentifier, owner.Id));
            claims.Add(new Claim(ClaimTypes.Name, owner.UserName ?? owner.Id));
            claims.Add(new Claim(LockboxClaims.DisplayName, owner.DisplayName));
            var roles = await db.Memberships.AsNoTracking().Where(m => m.UserId == owner.Id).Select(m => m.Role).Distinct().ToListAsync(Context.RequestAborted);
            claims.AddRange(roles.Select(r => new Claim(LockboxClaims.Role, r.ToString())));
        }
        else
        {
            claims = ServiceClientClaims(token.Id, token.Name);
            clients.Remember(hash, token.Id, token.Name, token.ExpiresAt);
        }

        if (token.LastUsedAt is null || now - token.LastUsedAt >= LastUsedResolution)
        {
            await TouchAsync(db, token.Id, now);
        }

        recentTokens.Remember(hash);
        return Authenticated(claims);
    }

    private static List<Claim> ServiceClientClaims(Guid tokenId, string name) =>
    [
        new(ApiTokenDefaults.KindClaim, nameof(ApiTokenKind.ServiceClient)),
        new(ApiTokenDefaults.TokenIdClaim, tokenId.ToString()),
        new(ClaimTypes.Name, name),
        new(LockboxClaims.DisplayName, "Service client: " + name),
    ];

    private AuthenticateResult Authenticated(List<Claim> claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, LockboxClaims.Role)), Scheme.Name));

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    private async Task TouchAsync(LockboxDbContext db, Guid tokenId, DateTimeOffset now)
    {
        try
        {
            await db.ApiTokens.Where(t => t.Id == tokenId).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }
        catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
        {
            // A busy database must not fail the call; the next call records the use.
            Logger.LogDebug(ex, "Could not record the last use of token {TokenId}.", tokenId);
        }
    }
}

/// <summary>Who a service client is, for the audit trail.</summary>
public static class ApiPrincipal
{
    public static bool IsServiceClient(ClaimsPrincipal principal) =>
        principal.HasClaim(ApiTokenDefaults.KindClaim, nameof(ApiTokenKind.ServiceClient));

    public static Actor ServiceClientActor(ClaimsPrincipal principal) =>
        new("client:" + principal.FindFirstValue(ApiTokenDefaults.TokenIdClaim), principal.FindFirstValue(LockboxClaims.DisplayName) ?? "Service client");
}
