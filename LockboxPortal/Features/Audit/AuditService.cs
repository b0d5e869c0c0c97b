using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Audit;

/// <summary>An authorized export, ready to write once the caller has set up its output (e.g. HTTP headers).</summary>
public sealed record AuditExportJob(AuditChainInfo Chain, AuditExportFormat Format, string FileName, string ContentType, Func<TextWriter, CancellationToken, Task> WriteAsync);

/// <summary>
/// Reading, exporting and verifying audit chains for people. Every operation authorizes the person from storage
/// (not from their cookie), and a refusal is itself recorded. Exports and verifications are recorded too.
/// </summary>
public sealed class AuditService(
    IDbContextFactory<LockboxDbContext> dbFactory,
    LockboxTransactions transactions,
    OperationGate gate,
    RequestGate requests,
    AuditWriter audit,
    AuditReader store,
    AuditCheckpoints checkpoints,
    AccessRequests.Signing.SignedDecisionVerifier signedDecisions,
    TimeProvider time)
{
    public const string Subject = "AuditTrail";

    /// <summary>
    /// The chains this person may read (the Read rule: their tenants' as security officer, the provider's as provider
    /// admin). Someone who reads none is refused (recorded) and given an empty list.
    /// </summary>
    public async Task<IReadOnlyList<AuditChainInfo>> ListReadableChainsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        if (!await gate.AllowsOrRecordsAsync(principal, new AuditChainResource(null, user), AuditOperations.ListChains, cancellationToken))
        {
            return [];
        }

        var memberOf = user.Memberships.Tenants;
        var tenants = await db.Tenants.AsNoTracking().Where(t => memberOf.Contains(t.Id)).OrderBy(t => t.Name).ToListAsync(cancellationToken);
        AuditChainInfo[] candidates =
        [
            new(null, "Provider", AuditChainInfo.ProviderShortName),
            .. tenants.Select(t => new AuditChainInfo(t.Id, t.Name, t.ShortName)),
        ];
        return await gate.WhereAllowedAsync(principal, candidates, c => new AuditChainResource(c.TenantId, user), AuditOperations.Read);
    }

    public async Task<AuditPage> QueryAsync(ClaimsPrincipal principal, AuditQuery query, AuditPageRequest page, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(principal, query.TenantId, AuditOperations.Read, null, cancellationToken);
        return await store.PageAsync(query, page, cancellationToken);
    }

    /// <summary>
    /// Authorizes and records an export of the entries matching <paramref name="query"/>. The export covers the
    /// chain as it stood at this moment; entries appended while it is written are left for the next one.
    /// </summary>
    public async Task<AuditExportJob> StartExportAsync(
        ClaimsPrincipal principal, AuditQuery query, AuditExportFormat format, ClientInfo? client = null, CancellationToken cancellationToken = default)
    {
        var (user, chain) = await AuthorizeAsync(principal, query.TenantId, AuditOperations.Export, client, cancellationToken);
        // Every export ends at a signed checkpoint of the head, which the export carries.
        var checkpoint = await checkpoints.TakeAsync(query.ChainId, cancellationToken);
        var upTo = checkpoint?.Sequence ?? 0;
        var now = time.GetUtcNow();
        await transactions.RunAsync(db => audit.AppendAsync(db, Record(AuditEventType.Audit_Exported, user, chain, new
        {
            Format = format.ToString(),
            UpToSequence = upTo,
            query.From,
            query.To,
            EventType = query.EventType?.ToString(),
            query.Actor,
            query.RequestReference,
        }), cancellationToken), cancellationToken);

        return new AuditExportJob(
            chain, format, AuditExportWriter.FileName(chain, format, now), AuditExportWriter.ContentType(format),
            (output, ct) => AuditExportWriter.WriteAsync(format, chain, query, now, store.StreamAsync(query, upTo, ct), output, ct, checkpoint));
    }

    public async Task<AuditVerification> VerifyAsync(ClaimsPrincipal principal, Guid? tenantId, ClientInfo? client = null, CancellationToken cancellationToken = default)
    {
        var (user, chain) = await AuthorizeAsync(principal, tenantId, AuditOperations.Verify, client, cancellationToken);
        var result = await store.VerifyAsync(chain.ChainId, cancellationToken);
        if (chain.TenantId is { } tenant)
        {
            result = result with { SignedDecisions = await signedDecisions.VerifyAsync(tenant, cancellationToken) };
        }

        await transactions.RunAsync(db => audit.AppendAsync(db, Record(AuditEventType.Audit_Verified, user, chain, new
        {
            Intact = result.IsIntact,
            Entries = result.EntryCount,
            BrokenAt = result.Break?.Sequence,
            Kind = result.Break?.Kind.ToString(),
            SignedDecisions = result.SignedDecisions?.Checked,
            SignedDecisionsFailing = result.SignedDecisions?.Failures.Select(f => f.ToString()),
        }), cancellationToken), cancellationToken);
        return result;
    }

    /// <summary>
    /// A request's history as the audit trail records it, oldest first; null when this person may not see the
    /// request. Refused attempts are left out: they belong on the security officer's audit page. So is what was done under
    /// the grant (reports and counted checks), which the request page shows in a section of its own.
    /// </summary>
    public async Task<IReadOnlyList<AuditEntry>?> RequestTimelineAsync(ClaimsPrincipal principal, Guid requestId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await requests.FindVisibleAsync(db, principal, requestId, cancellationToken) is not { Request: var request })
        {
            return null;
        }

        var subjectId = request.Id.ToString();
        return await db.AuditEntries.AsNoTracking()
            .Where(e => e.ChainId == request.TenantId && e.SubjectType == AuditReader.RequestSubject && e.SubjectId == subjectId
                && e.EventType != AuditEventType.Operation_Refused
                && e.EventType != AuditEventType.Grant_ActivityReported && e.EventType != AuditEventType.Grant_ChecksCounted)
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Someone who may not see a tenant at all learns nothing about it (not found); a member of the tenant without
    /// the officer role is told no (forbidden). Either way the gate records the attempt, in the chain it aimed at.
    /// </summary>
    private async Task<(ActingUser User, AuditChainInfo Chain)> AuthorizeAsync(
        ClaimsPrincipal principal, Guid? tenantId, OperationAuthorizationRequirement operation, ClientInfo? client, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        user = user with { Client = client ?? user.Client };
        var tenant = tenantId is { } id ? await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancellationToken) : null;
        await gate.EnsureAsync(principal, new AuditChainResource(tenantId, user, tenantId is null || tenant is not null), operation, cancellationToken);
        var chain = tenant is null
            ? new AuditChainInfo(null, "Provider", AuditChainInfo.ProviderShortName)
            : new AuditChainInfo(tenant.Id, tenant.Name, tenant.ShortName);
        return (user, chain);
    }

    private static AuditRecord Record(AuditEventType type, ActingUser user, AuditChainInfo chain, object details) =>
        new(type, user.Actor, chain.TenantId, Subject, chain.Key, AuditRecord.Details(details), Client: user.Client);
}
