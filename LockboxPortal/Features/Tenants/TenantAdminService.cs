using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Tenants;

public sealed record TenantInput(string? Name, string? ShortName, string? EntraTenantId);

public sealed record TenantRow(
    Guid Id, string Name, string ShortName, Guid? EntraTenantId, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset? DeactivatedAt, int ActiveOfficers);

/// <summary>The provider admin's tenant operations: create, rename, deactivate. Each is one audited transaction.</summary>
public sealed class TenantAdminService(
    LockboxTransactions transactions,
    IDbContextFactory<LockboxDbContext> dbFactory,
    OperationGate gate,
    AuditWriter audit,
    RequestNotifier notifier,
    OpenRequestCloser closer,
    TimeProvider time,
    ProviderDirectory providerDirectory)
{
    private const string Subject = AdministrationResource.TenantSubject;

    /// <summary>Every tenant, for the provider admin. Anyone else is refused (recorded) and shown no tenants.</summary>
    public async Task<IReadOnlyList<TenantRow>> ListAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        if (!await gate.AllowsOrRecordsAsync(principal, new AdministrationResource(user, null), AdministrationOperations.ManageTenants, cancellationToken))
        {
            return [];
        }

        var officers = await (
                from m in db.Memberships
                join u in db.Users on m.UserId equals u.Id
                where m.Role == PortalRole.SecurityOfficer && u.IsActive && m.TenantId != null
                group m by m.TenantId into g
                select new { TenantId = g.Key!.Value, Count = g.Count() })
            .ToDictionaryAsync(x => x.TenantId, x => x.Count, cancellationToken);
        var tenants = await db.Tenants.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
        return tenants
            .Select(t => new TenantRow(t.Id, t.Name, t.ShortName, t.EntraTenantId, t.IsActive, t.CreatedAt, t.DeactivatedAt, officers.GetValueOrDefault(t.Id)))
            .ToList();
    }

    public Task<Tenant> CreateAsync(ClaimsPrincipal principal, TenantInput input, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var user = await gate.ActingUserAsync(db, principal, cancellationToken);
            await gate.EnsureAsync(principal, new AdministrationResource(user, null), AdministrationOperations.ManageTenants, cancellationToken);

            var errors = new Dictionary<string, string[]>();
            var name = Tenant.CleanName(input.Name);
            var shortName = Tenant.CleanShortName(input.ShortName);
            if (name is null)
            {
                errors[nameof(Tenant.Name)] = [Tenant.NameRule];
            }

            if (shortName is null)
            {
                errors[nameof(Tenant.ShortName)] = [Tenant.ShortNameRule];
            }
            else if (await db.Tenants.AnyAsync(t => t.ShortName == shortName, cancellationToken))
            {
                errors[nameof(Tenant.ShortName)] = ["Another tenant already uses this short name."];
            }

            var (entraId, entraError) = await CheckDirectoryAsync(db, input.EntraTenantId, null, cancellationToken);
            if (entraError is not null)
            {
                errors[nameof(Tenant.EntraTenantId)] = [entraError];
            }

            if (errors.Count > 0)
            {
                throw new InvalidInputException(errors);
            }

            var tenant = new Tenant(Guid.NewGuid(), name!, shortName!, time.GetUtcNow(), entraId);
            db.Tenants.Add(tenant);
            await audit.AppendAsync(db, Record(AuditEventType.Tenant_Created, user, tenant, new { tenant.Name, tenant.ShortName, tenant.EntraTenantId }), cancellationToken);
            return tenant;
        }, cancellationToken);

    public Task<Tenant> RenameAsync(ClaimsPrincipal principal, Guid tenantId, string? name, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var (user, tenant) = await LoadAsync(db, principal, tenantId, cancellationToken);
            var previous = tenant.Name;
            tenant.Rename(name ?? "");
            await audit.AppendAsync(db, Record(AuditEventType.Tenant_Renamed, user, tenant, new { Previous = previous, tenant.Name }), cancellationToken);
            return tenant;
        }, cancellationToken);

    /// <summary>
    /// Sets (or, with an empty value, clears) the Entra directory whose sign-ins land in this tenant. Who holds roles
    /// there then follows that directory's app roles at each sign-in, so the change is audited in the tenant's chain.
    /// </summary>
    public Task<Tenant> ChangeDirectoryAsync(ClaimsPrincipal principal, Guid tenantId, string? entraTenantId, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var (user, tenant) = await LoadAsync(db, principal, tenantId, cancellationToken);
            var (directory, error) = await CheckDirectoryAsync(db, entraTenantId, tenant.Id, cancellationToken);
            if (error is not null)
            {
                throw InvalidInputException.For(nameof(Tenant.EntraTenantId), error);
            }

            var previous = tenant.EntraTenantId;
            if (previous == directory)
            {
                return tenant;
            }

            tenant.MapDirectory(directory);
            await audit.AppendAsync(db, Record(AuditEventType.Tenant_DirectoryChanged, user, tenant, new { Previous = previous, tenant.EntraTenantId }), cancellationToken);
            return tenant;
        }, cancellationToken);

    public const string DirectoryRule = "An Entra tenant id is a GUID, e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47.";

    /// <summary>The directory id typed for a tenant (null when empty), or why it cannot be used.</summary>
    private async Task<(Guid? Directory, string? Error)> CheckDirectoryAsync(LockboxDbContext db, string? input, Guid? tenantId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return (null, null);
        }

        if (!Guid.TryParse(input.Trim(), out var parsed) || parsed == Guid.Empty)
        {
            return (null, DirectoryRule);
        }

        // The provider's own people would otherwise sign in as that customer's admins and officers.
        if (parsed == providerDirectory.Id)
        {
            return (null, "This is the provider's own directory; its people sign in as provider staff.");
        }

        return await db.Tenants.AnyAsync(t => t.EntraTenantId == parsed && t.Id != tenantId, cancellationToken)
            ? (null, "Another tenant is already mapped to this Entra tenant.")
            : (parsed, null);
    }

    /// <summary>
    /// Deactivates a tenant: its pending requests expire and its active grants end at once, its open invitations are
    /// revoked, and each of those is audited. Its people, requests and audit trail stay as they were.
    /// </summary>
    public async Task<Tenant> DeactivateAsync(ClaimsPrincipal principal, Guid tenantId, CancellationToken cancellationToken = default)
    {
        var (tenant, closed) = await transactions.RunAsync(async db =>
        {
            var (user, tracked) = await LoadAsync(db, principal, tenantId, cancellationToken);
            var now = time.GetUtcNow();
            tracked.Deactivate(now);

            var open = await OpenRequestCloser.Open(db.AccessRequests.Where(r => r.TenantId == tenantId)).ToListAsync(cancellationToken);
            var closedEvents = await closer.CloseAsync(db, open, user, r => r.CloseForDeactivatedTenant(user.Actor, now), cancellationToken);

            var invitations = await db.Invitations.Where(i => i.TenantId == tenantId && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
                .ToListAsync(cancellationToken);
            foreach (var invitation in invitations)
            {
                invitation.Revoke(user.Actor, now);
                await audit.AppendAsync(db, new AuditRecord(
                    AuditEventType.Invitation_Revoked, user.Actor, tenantId, "Invitation", invitation.Id.ToString(),
                    AuditRecord.Details(new { invitation.Email, Role = invitation.Role.ToString(), Reason = "The tenant was deactivated." }), Client: user.Client), cancellationToken);
            }

            await audit.AppendAsync(db, Record(AuditEventType.Tenant_Deactivated, user, tracked, new
            {
                tracked.Name,
                RequestsExpired = open.Count(r => r.Status == RequestStatus.Expired),
                GrantsEnded = open.Count(r => r.Status == RequestStatus.Revoked),
                InvitationsRevoked = invitations.Count,
            }), cancellationToken);
            return (tracked, closedEvents);
        }, cancellationToken);

        foreach (var change in closed)
        {
            await notifier.PublishAsync(change);
        }

        return tenant;
    }

    private async Task<(ActingUser User, Tenant Tenant)> LoadAsync(LockboxDbContext db, ClaimsPrincipal principal, Guid tenantId, CancellationToken cancellationToken)
    {
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        await gate.EnsureAsync(principal, new AdministrationResource(user, tenantId) { SubjectId = tenantId.ToString() },
            AdministrationOperations.ManageTenants, cancellationToken);
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken) ?? throw new NotFoundException("tenant");
        return (user, tenant);
    }

    private static AuditRecord Record(AuditEventType type, ActingUser user, Tenant tenant, object details) =>
        new(type, user.Actor, tenant.Id, Subject, tenant.Id.ToString(), AuditRecord.Details(details), Client: user.Client);
}
