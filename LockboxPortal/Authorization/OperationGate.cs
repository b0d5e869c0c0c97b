using System.Security.Claims;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Authorization;

/// <summary>
/// What an operation is about, as its feature's authorization handler sees it: the person acting (from storage),
/// the facts the handler decides on, and where a refusal is recorded.
/// </summary>
public interface IGuardedResource
{
    ActingUser User { get; }

    /// <summary>The tenant whose audit chain records a refusal; null for the provider's chain.</summary>
    Guid? AuditChain { get; }

    string SubjectType { get; }

    string SubjectId { get; }

    /// <summary>What a person who may not even see it is told does not exist ("request", "tenant", ...).</summary>
    string What { get; }
}

/// <summary>Operations every feature's handler answers, beside its own.</summary>
public static class CommonOperations
{
    /// <summary>
    /// May the person know the thing exists? Someone who may not is told "not found", exactly as for an id that
    /// does not exist, so a guessed id reveals nothing; someone who may see it but not act is told "forbidden".
    /// </summary>
    public static readonly OperationAuthorizationRequirement See = new() { Name = nameof(See) };
}

/// <summary>
/// The one way every operation of every feature is authorized: load the person acting from storage (so a removed
/// role or a deactivated account stops working at once, whatever the cookie says), ask the standard pipeline
/// (<see cref="IAuthorizationService"/> with the feature's resource handler), and record each refusal in the trail.
/// Services never check roles themselves.
/// </summary>
public sealed class OperationGate(IAuthorizationService authorization, AuditWriter audit, ClientContext client, FreshFactorCheck freshFactors)
{
    /// <summary>The person behind <paramref name="principal"/>, with the roles storage says they hold now and where they act from.</summary>
    public async Task<ActingUser> ActingUserAsync(LockboxDbContext db, ClaimsPrincipal principal, CancellationToken cancellationToken) =>
        await ActingUser.LoadAsync(db, principal, cancellationToken) with { Client = client.Current };

    public async Task<bool> IsAllowedAsync(ClaimsPrincipal principal, IGuardedResource resource, OperationAuthorizationRequirement operation) =>
        (await authorization.AuthorizeAsync(principal, resource, operation)).Succeeded;

    /// <summary>
    /// Returns when the operation is allowed; otherwise records the refusal and throws <see cref="NotFoundException"/>
    /// (the person may not see the thing) or <see cref="ForbiddenException"/>.
    /// </summary>
    public async Task EnsureAsync(
        ClaimsPrincipal principal, IGuardedResource resource, OperationAuthorizationRequirement operation, CancellationToken cancellationToken, string? role = null)
    {
        if (await RefuseAsync(principal, resource, operation, cancellationToken, role) is { } refusal)
        {
            throw refusal;
        }
    }

    /// <summary>
    /// For a list whose callers are answered with no rows when refused: whether the operation is allowed. A refusal is
    /// recorded exactly as by <see cref="EnsureAsync"/>, so it is never silent.
    /// </summary>
    public async Task<bool> AllowsOrRecordsAsync(
        ClaimsPrincipal principal, IGuardedResource resource, OperationAuthorizationRequirement operation, CancellationToken cancellationToken) =>
        await RefuseAsync(principal, resource, operation, cancellationToken, role: null) is null;

    private async Task<LockboxRuleException?> RefuseAsync(
        ClaimsPrincipal principal, IGuardedResource resource, OperationAuthorizationRequirement operation, CancellationToken cancellationToken, string? role)
    {
        if (await IsAllowedAsync(principal, resource, operation))
        {
            return null;
        }

        var visible = await IsAllowedAsync(principal, resource, CommonOperations.See);
        await RecordRefusalAsync(resource, operation.Name, visible ? "forbidden" : "not-found", cancellationToken, role);
        return visible ? new ForbiddenException() : new NotFoundException(resource.What);
    }

    /// <summary>
    /// The items on which the person may perform <paramref name="operation"/>, in their order: a list shows exactly
    /// what the handler would allow one by one, by the same rule, instead of a second copy of it in a query.
    /// </summary>
    public async Task<IReadOnlyList<T>> WhereAllowedAsync<T>(
        ClaimsPrincipal principal, IEnumerable<T> items, Func<T, IGuardedResource> resourceOf, OperationAuthorizationRequirement operation)
    {
        var allowed = new List<T>();
        foreach (var item in items)
        {
            if (await IsAllowedAsync(principal, resourceOf(item), operation))
            {
                allowed.Add(item);
            }
        }

        return allowed;
    }

    /// <summary>
    /// Where the tenant's policy requires two-factor sign-in (DESIGN.md rule 12), an allowed operation still needs a
    /// sign-in proven with a second factor; otherwise the refusal is recorded and the person is told how to enrol.
    /// </summary>
    public async Task EnsureSecondFactorAsync(IGuardedResource resource, string operation, bool required, CancellationToken cancellationToken)
    {
        if (!required || resource.User.SecondFactor)
        {
            return;
        }

        await RecordRefusalAsync(resource, operation, "second-factor-required", cancellationToken);
        throw new SecondFactorRequiredException();
    }

    /// <summary>
    /// Where the tenant's policy requires two-factor sign-in, an allowed decision or revoke needs a second factor: with
    /// a fresh-factor window (<see cref="TenantPolicy.FreshFactorWindowRequired"/>), one proven within it and carried
    /// by this operation (an authenticator code, a passkey assertion) or a recent external sign-in, which stands for the
    /// session's second factor too; without a window, a session signed in with one. A refusal is recorded and says
    /// why. Returns how the fresh factor was proven (for the trail, with a passkey's verified assertion), or null when
    /// none was asked for.
    /// </summary>
    public async Task<FreshFactorResult?> EnsureSecondFactorAsync(
        LockboxDbContext db, ClaimsPrincipal principal, IGuardedResource resource, string operation, TenantPolicy policy, FreshFactor? factor,
        CancellationToken cancellationToken)
    {
        if (policy.FreshFactorWindowRequired is not { } window)
        {
            await EnsureSecondFactorAsync(resource, operation, policy.RequireTwoFactor, cancellationToken);
            return null;
        }

        var result = await freshFactors.VerifyAsync(db, principal, resource.User.UserId, factor, window, cancellationToken);
        if (result.Method is not null)
        {
            return result;
        }

        var reason = result.NothingEnrolled ? "second-factor-required" : result.Refusal!;
        await RecordRefusalAsync(resource, operation, reason, cancellationToken);
        throw result.NothingEnrolled ? new SecondFactorRequiredException() : FreshFactorException.For(result.Refusal!, window);
    }

    /// <summary>
    /// Records an attempt that a rule (not a permission) refused, e.g. separation of duties or a late decision. It is
    /// written after the refused operation has rolled back, so the refusal is kept while the operation writes nothing.
    /// </summary>
    public Task RecordRefusalAsync(IGuardedResource resource, string operation, string reason, CancellationToken cancellationToken, string? role = null) =>
        audit.RecordRefusalAsync(resource.User.Actor, resource.AuditChain, resource.SubjectType, resource.SubjectId, operation, reason,
            resource.User.Client ?? client.Current, cancellationToken, role);
}
