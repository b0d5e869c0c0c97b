using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.ApiTokens;

/// <summary>A token as its owner (or the provider admin, for service clients) sees it; never the secret.</summary>
public sealed record ApiTokenView(Guid Id, ApiTokenKind Kind, string Name, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, string CreatedByName);

/// <summary>A newly created token: the secret is in <see cref="Token"/> and is never available again.</summary>
public sealed record CreatedApiToken(ApiTokenView View, string Token);

/// <summary>
/// Personal API tokens and service clients. Each operation is one transaction that writes the token and its audit
/// entry together. Personal tokens belong to the person creating them; service clients to the provider, created by
/// a ProviderAdmin (or from the console).
/// </summary>
public sealed class ApiTokenService(
    LockboxTransactions transactions, IDbContextFactory<LockboxDbContext> dbFactory, OperationGate gate, AuditWriter audit, TokenNotifier notifier, TimeProvider time)
{
    public const string Subject = "ApiToken";

    /// <summary>The actor for operations run with <c>dotnet run -- tokens ...</c>.</summary>
    public static Actor Console { get; } = new("console", "Console");

    public Task<CreatedApiToken> CreatePersonalAsync(ClaimsPrincipal principal, string? name, int expiresInDays, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var user = await AuthorizeAsync(db, principal, ApiTokenOperations.CreatePersonal, cancellationToken);
            return await AddPersonalAsync(db, user.Actor, user.UserId, name, expiresInDays, user.Client, cancellationToken);
        }, cancellationToken);

    /// <summary>From the console: a personal token for the person with this email, audited as done by the console.</summary>
    public Task<CreatedApiToken> CreatePersonalFromConsoleAsync(string email, string? name, int expiresInDays, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var normalized = email.Trim().ToUpperInvariant();
            var owner = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized && u.IsActive, cancellationToken)
                ?? throw InvalidInputException.For("User", $"No active person has the email {email}.");
            return await AddPersonalAsync(db, Console, owner.Id, name, expiresInDays, null, cancellationToken);
        }, cancellationToken);

    public Task<CreatedApiToken> CreateServiceClientAsync(ClaimsPrincipal principal, string? name, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var user = await AuthorizeAsync(db, principal, ApiTokenOperations.CreateServiceClient, cancellationToken);
            return await AddServiceClientAsync(db, user.Actor, name, user.Client, cancellationToken);
        }, cancellationToken);

    public Task<CreatedApiToken> CreateServiceClientFromConsoleAsync(string? name, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(db => AddServiceClientAsync(db, Console, name, null, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<ApiTokenView>> ListMineAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await AuthorizeAsync(db, principal, ApiTokenOperations.ListMine, cancellationToken);
        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.OwnerId == user.UserId && t.Kind == ApiTokenKind.Personal)
            .OrderByDescending(t => t.CreatedAt).ToListAsync(cancellationToken);
        return tokens.Select(ToView).ToList();
    }

    /// <summary>The provider's service clients; anyone but a ProviderAdmin is refused (recorded) and shown an empty list.</summary>
    public async Task<IReadOnlyList<ApiTokenView>> ListServiceClientsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        if (!await gate.AllowsOrRecordsAsync(principal, new ApiTokenResource(user), ApiTokenOperations.ListServiceClients, cancellationToken))
        {
            return [];
        }

        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.Kind == ApiTokenKind.ServiceClient)
            .OrderByDescending(t => t.CreatedAt).ToListAsync(cancellationToken);
        return tokens.Select(ToView).ToList();
    }

    /// <summary>
    /// The owner revokes their personal token; a ProviderAdmin revokes a service client. After the commit every node
    /// hears it (<see cref="TokenRevoked"/>), so none keeps authenticating the token from memory.
    /// </summary>
    public async Task RevokeAsync(ClaimsPrincipal principal, Guid tokenId, CancellationToken cancellationToken = default)
    {
        await transactions.RunAsync(async db =>
        {
            var user = await gate.ActingUserAsync(db, principal, cancellationToken);
            var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId, cancellationToken);
            await gate.EnsureAsync(principal, new ApiTokenResource(user, tokenId, token), ApiTokenOperations.Revoke, cancellationToken);
            token!.Revoke(time.GetUtcNow());
            var type = token.Kind == ApiTokenKind.Personal ? AuditEventType.ApiToken_Revoked : AuditEventType.ServiceClient_Revoked;
            await AppendAsync(db, type, user.Actor, token, user.Client, cancellationToken);
        }, cancellationToken);
        await notifier.PublishAsync(new TokenRevoked(tokenId, time.GetUtcNow()));
    }

    private async Task<CreatedApiToken> AddPersonalAsync(
        LockboxDbContext db, Actor actor, string ownerId, string? name, int expiresInDays, ClientInfo? client, CancellationToken cancellationToken)
    {
        var errors = ValidateName(name);
        if (expiresInDays is < 1 or > ApiToken.MaxLifetimeDays)
        {
            errors["ExpiresInDays"] = [$"A token expires after 1 to {ApiToken.MaxLifetimeDays} days."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var now = time.GetUtcNow();
        var (secret, hash) = NewSecret(ApiToken.PersonalPrefix);
        var token = new ApiToken(Guid.NewGuid(), ApiTokenKind.Personal, name!.Trim(), hash, ownerId, now, now.AddDays(expiresInDays), actor.UserId, actor.DisplayName);
        db.ApiTokens.Add(token);
        await AppendAsync(db, AuditEventType.ApiToken_Created, actor, token, client, cancellationToken);
        return new CreatedApiToken(ToView(token), secret);
    }

    private async Task<CreatedApiToken> AddServiceClientAsync(LockboxDbContext db, Actor actor, string? name, ClientInfo? client, CancellationToken cancellationToken)
    {
        var errors = ValidateName(name);
        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var (secret, hash) = NewSecret(ApiToken.ClientPrefix);
        var token = new ApiToken(Guid.NewGuid(), ApiTokenKind.ServiceClient, name!.Trim(), hash, null, time.GetUtcNow(), null, actor.UserId, actor.DisplayName);
        db.ApiTokens.Add(token);
        await AppendAsync(db, AuditEventType.ServiceClient_Created, actor, token, client, cancellationToken);
        return new CreatedApiToken(ToView(token), secret);
    }

    private async Task<ActingUser> AuthorizeAsync(
        LockboxDbContext db, ClaimsPrincipal principal, OperationAuthorizationRequirement operation, CancellationToken cancellationToken)
    {
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        await gate.EnsureAsync(principal, new ApiTokenResource(user), operation, cancellationToken);
        return user;
    }

    /// <summary>
    /// A personal token is recorded in every chain its owner belongs to (the provider's for provider staff, each
    /// tenant's for tenant people), so whoever audits that tenant sees which tokens can act in it.
    /// </summary>
    private async Task AppendAsync(LockboxDbContext db, AuditEventType type, Actor actor, ApiToken token, ClientInfo? client, CancellationToken cancellationToken)
    {
        var chains = new List<Guid?>();
        if (token.OwnerId is { } ownerId)
        {
            var memberships = await db.Memberships.AsNoTracking().Where(m => m.UserId == ownerId).Select(m => m.TenantId).Distinct().ToListAsync(cancellationToken);
            chains.AddRange(memberships);
        }

        if (chains.Count == 0)
        {
            chains.Add(null);
        }

        var details = AuditRecord.Details(new { token.Name, Kind = token.Kind.ToString(), token.OwnerId, token.ExpiresAt });
        foreach (var chain in chains)
        {
            await audit.AppendAsync(db, new AuditRecord(type, actor, chain, Subject, token.Id.ToString(), details, Client: client), cancellationToken);
        }
    }

    private static Dictionary<string, string[]> ValidateName(string? name)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > ApiToken.NameMaxLength || TextRules.FirstHiddenCharacter(name) is not null)
        {
            errors["Name"] = [$"Give the token a name of 1 to {ApiToken.NameMaxLength} printable characters."];
        }

        return errors;
    }

    private static (string Secret, string Hash) NewSecret(string prefix)
    {
        var (token, _) = SecretToken.Create();
        var secret = prefix + token;
        return (secret, SecretToken.Hash(secret));
    }

    private static ApiTokenView ToView(ApiToken t) => new(t.Id, t.Kind, t.Name, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, t.CreatedByName);
}
