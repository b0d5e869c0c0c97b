using System.Diagnostics;
using LockboxPortal.Common;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.DataGen;

/// <summary>
/// Fills an empty portal database, created by the portal's own migrations, with a provider-sized history:
/// 200 tenants with their people, approver lists and policies; 100,000 requests over two years, almost all closed,
/// moved through the request's own transitions; and 1,000,000 audit entries in the tenants' and the provider's
/// chains, hashed by <see cref="AuditEntry"/> itself. One seeded <see cref="Random"/>, so two runs make the same data
/// (apart from ids the entities draw themselves: decisions, memberships, concurrency tokens), with every time counted
/// back from the moment of generating so that the open requests are open now; their times, and so the hashes, differ.
/// </summary>
public sealed class Generator(Func<LockboxDbContext> factory, GeneratorSettings settings, TextWriter log)
{
    public const string Password = "Bench-Password-1";
    public const string Subject = AuditReader.RequestSubject;

    private static readonly string[] Workloads = ["Exchange:mailbox/{0}@{1}.example", "SharePoint:site/{0}", "Sql:database/{0}", "Teams:team/{0}", "OneDrive:drive/{0}@{1}.example"];
    private static readonly string[] Words = ["finance", "sales", "hr", "legal", "ops", "it", "board", "support", "orders", "payroll", "archive", "shared"];

    private readonly Random _random = new(settings.Seed);
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;
    private int _reference;
    private long _auditEntries;
    private int _people;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var start = _now.AddDays(-730);
        var passwordHash = new PasswordHasher<PortalUser>().HashPassword(new PortalUser(), Password);

        // The provider: engineers who file, managers who approve the internal stage, administrators.
        var engineers = People("engineer", "fabrikam", "Engineer", settings.Engineers);
        var managers = People("manager", "fabrikam", "Manager", settings.Managers);
        var admins = People("admin", "fabrikam", "Admin", 3);
        await using (var db = factory())
        {
            AddUsers(db, passwordHash, engineers.Concat(managers).Concat(admins));
            db.Memberships.AddRange(engineers.Select(e => new Membership(e.Id, null, PortalRole.Engineer)));
            db.Memberships.AddRange(managers.Select(m => new Membership(m.Id, null, PortalRole.EngineeringManager)));
            db.Memberships.AddRange(admins.Select(a => new Membership(a.Id, null, PortalRole.ProviderAdmin)));
            await db.SaveChangesAsync(cancellationToken);
        }

        var shares = RequestShares();
        var auditShares = Split(settings.AuditEntries - settings.ProviderAuditEntries, shares.Select(s => (double)s).ToArray());
        var tenantIds = new List<Guid>();
        var requestCounts = new Dictionary<RequestStatus, int>();
        for (var t = 0; t < settings.Tenants; t++)
        {
            var tenant = await TenantAsync(t, shares[t], auditShares[t], start, passwordHash, engineers, managers, requestCounts, cancellationToken);
            tenantIds.Add(tenant);
            if ((t + 1) % 20 == 0)
            {
                await log.WriteLineAsync($"  {t + 1} tenants, {_reference:N0} requests, {_auditEntries:N0} audit entries, {clock.Elapsed.TotalSeconds:N0} s");
            }
        }

        await ProviderChainAsync(start, engineers, managers, admins, tenantIds, cancellationToken);
        await log.WriteLineAsync($"""
            Made {settings.Tenants} tenants, {settings.Engineers + settings.Managers + 3 + _people:N0} people, {_reference:N0} requests ({string.Join(", ", requestCounts.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value:N0}"))}),
            {_auditEntries:N0} audit entries in {settings.Tenants + 1} chains, in {clock.Elapsed.TotalSeconds:N1} s.
            Sign in with any generated account and the password {Password}; the busy tenant is t001 (approver1@t001.test, officer1@t001.test).
            """);
    }


    private static List<PortalUser> People(string role, string domain, string title, int count) =>
        Enumerable.Range(1, count).Select(i => new PortalUser
        {
            Id = $"{role}{i}@{domain}",
            UserName = $"{role}{i}@{domain}.test",
            Email = $"{role}{i}@{domain}.test",
            DisplayName = $"{title} {i} ({domain})",
            EmailConfirmed = true,
        }).ToList();

    private void AddUsers(LockboxDbContext db, string passwordHash, IEnumerable<PortalUser> users)
    {
        foreach (var user in users)
        {
            // What UserManager would set; hashing the one password once keeps 2,000 people from costing minutes.
            user.NormalizedUserName = user.UserName!.ToUpperInvariant();
            user.NormalizedEmail = user.Email!.ToUpperInvariant();
            user.PasswordHash = passwordHash;
            user.SecurityStamp = Guid.NewGuid().ToString("N").ToUpperInvariant();
            db.Users.Add(user);
        }
    }

    /// <summary>The busy tenant (t001) files a tenth of all requests; the rest fall off with rank.</summary>
    private int[] RequestShares()
    {
        var busy = settings.Requests / 10;
        var weights = Enumerable.Range(2, settings.Tenants - 1).Select(rank => 1 / Math.Pow(rank, 0.7)).ToArray();
        return [busy, .. Split(settings.Requests - busy, weights)];
    }

    private static int[] Split(int total, double[] weights)
    {
        var sum = weights.Sum();
        var parts = weights.Select(w => (int)(total * w / sum)).ToArray();
        parts[^1] += total - parts.Sum();
        return parts;
    }

    private async Task<Guid> TenantAsync(
        int index, int requests, int auditQuota, DateTimeOffset start, string passwordHash,
        List<PortalUser> engineers, List<PortalUser> managers, Dictionary<RequestStatus, int> counts, CancellationToken cancellationToken)
    {
        var shortName = $"t{index + 1:D3}";
        var id = NextGuid();
        var tenant = new Tenant(id, $"Tenant {index + 1:D3} Ltd", shortName, start);

        // The longest pending lifetime and grants keep the open requests open for at least 12 hours after generating.
        var policy = TenantPolicy.Default with
        {
            PendingLifetime = TenantPolicy.MaxPendingLifetime,
            MaxGrantDuration = TenantPolicy.MaxGrantDurationCeiling,
            RequiredApprovals = index % 10 == 3 ? 2 : 1,
        };
        tenant.ChangePolicy(policy);
        var approvers = People("approver", shortName, "Approver", 3 + index % 6);
        var officers = People("officer", shortName, "Officer", 2);
        _people += approvers.Count + officers.Count;

        var items = new List<(DateTimeOffset At, AuditRecord Record)>();
        var requestRows = new List<AccessRequest>();
        for (var r = 0; r < requests; r++)
        {
            var request = Request(tenant, policy, start, engineers, managers, approvers, officers, r, requests, items);
            requestRows.Add(request);
            counts[request.Status] = counts.GetValueOrDefault(request.Status) + 1;
        }

        // Around the requests: sign-ins, what engineers reported under grants, refusals, the tenant's own settings.
        var people = approvers.Concat(officers).ToList();
        foreach (var person in people)
        {
            items.Add((start.AddMinutes(_random.Next(60)), Record(AuditEventType.Membership_Granted, Actor.System, id, "User", person.Id, new { Role = officers.Contains(person) ? "SecurityOfficer" : "TenantAdmin" })));
        }

        items.Add((start.AddHours(2), Record(AuditEventType.Approvers_Added, officers[0].ToActor(), id, "ApproverList", shortName, new { Added = approvers.Select(a => a.Id) })));
        items.Add((start.AddHours(3), Record(AuditEventType.Policy_Changed, officers[0].ToActor(), id, "Policy", shortName, new { policy.PendingLifetime, policy.MaxGrantDuration, policy.RequiredApprovals })));
        var span = (_now - start).TotalSeconds;
        while (items.Count < auditQuota)
        {
            var at = start.AddSeconds(_random.NextDouble() * span);
            var person = people[_random.Next(people.Count)];
            var roll = _random.Next(10);
            items.Add(roll switch
            {
                < 7 => (at, Record(AuditEventType.SignIn_Succeeded, person.ToActor(), id, "User", person.Id, new { Method = "Password" })),
                < 9 => (at, Record(AuditEventType.Grant_ChecksCounted, Actor.System, id, Subject, requestRows[_random.Next(requestRows.Count)].Id.ToString(), new { Checks = _random.Next(1, 500) })),
                _ => (at, Record(AuditEventType.Operation_Refused, person.ToActor(), id, Subject, requestRows[_random.Next(requestRows.Count)].Id.ToString(), new { Operation = "Decide", Reason = "already decided" })),
            });
        }

        await using var db = factory();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Tenants.Add(tenant);
        AddUsers(db, passwordHash, people);
        db.Memberships.AddRange(approvers.Select(a => new Membership(a.Id, id, PortalRole.TenantAdmin)));
        db.Memberships.AddRange(officers.Select(o => new Membership(o.Id, id, PortalRole.SecurityOfficer)));
        db.ApproverListEntries.AddRange(approvers.Select(a => new ApproverListEntry(id, a.Id, start.AddHours(2))));
        await db.SaveChangesAsync(cancellationToken);
        foreach (var chunk in requestRows.Chunk(2000))
        {
            db.AccessRequests.AddRange(chunk);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        await AppendChainAsync(db, id, items, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    /// <summary>
    /// One request, moved through the entity's transitions to a state that fits its age: the last few hours hold
    /// the open ones (pending at either stage, grants running), everything older is closed.
    /// </summary>
    private AccessRequest Request(
        Tenant tenant, TenantPolicy policy, DateTimeOffset start, List<PortalUser> engineers, List<PortalUser> managers,
        List<PortalUser> approvers, List<PortalUser> officers, int index, int count, List<(DateTimeOffset, AuditRecord)> items)
    {
        // The open ones: about 0.6 % of requests (600 of 100,000), the newest of each tenant.
        var open = Math.Max(1, (int)Math.Round(count * 0.006));
        var isOpen = index >= count - open;
        var created = isOpen
            ? _now.AddMinutes(-_random.Next(10, 240))
            : start.AddSeconds((_now.AddDays(-1) - start).TotalSeconds * index / count + _random.Next(3600));
        var engineer = engineers[_random.Next(engineers.Count)].ToActor();
        var manager = managers[_random.Next(managers.Count)].ToActor();
        var approver = approvers[_random.Next(approvers.Count)].ToActor();
        var word = Words[_random.Next(Words.Length)];
        var scope = string.Format(System.Globalization.CultureInfo.InvariantCulture, Workloads[_random.Next(Workloads.Length)], $"{word}{_random.Next(100)}", tenant.ShortName);
        var level = _random.Next(4) == 0 ? AccessLevel.ReadWrite : AccessLevel.Read;
        var reference = $"LBX-{created.Year}-{++_reference:D6}";
        var request = AccessRequest.File(NextGuid(), reference, tenant.Id, engineer, ResourceScope.Parse(scope), level,
            $"Support case SR-{_reference + 40000}: the customer reports a problem with {word}; need to inspect it.",
            $"SR-{_reference + 40000}", TimeSpan.FromHours(isOpen ? _random.Next(12, 25) : _random.Next(1, 9)), policy, created, reason: RequestReason.CustomerSupport);
        var subject = request.Id.ToString();
        void Audit(DateTimeOffset at, AuditEventType type, Actor actor, object details) =>
            items.Add((at, Record(type, actor, tenant.Id, Subject, subject, details)));

        Audit(created, AuditEventType.AccessRequest_Filed, engineer, new { request.Reference, request.Scope, AccessLevel = level.ToString(), request.Justification });
        var roll = isOpen ? 100 + _random.Next(100) : _random.Next(100);
        var at = created.AddMinutes(_random.Next(2, 30));
        if (roll is >= 100 and < 110)
        {
            return request; // pending the provider's manager
        }

        if (roll is >= 8 and < 16)
        {
            request.DenyInternal(manager, "Not needed: the customer's own team can do this.", at);
            Audit(at, AuditEventType.AccessRequest_InternalDenied, manager, new { request.Reference, Reason = "Not needed" });
            return request;
        }

        if (roll < 8)
        {
            request.Cancel(engineer, at);
            Audit(at, AuditEventType.AccessRequest_Cancelled, engineer, new { request.Reference });
            return request;
        }

        request.ApproveInternal(manager, null, policy.RequiredApprovals, at);
        Audit(at, AuditEventType.AccessRequest_InternalApproved, manager, new { request.Reference });
        if (roll is >= 110 and < 160)
        {
            return request; // in the customer's queue
        }

        if (roll is >= 16 and < 36)
        {
            request.Expire(request.ExpiresAt);
            Audit(request.ExpiresAt, AuditEventType.AccessRequest_Expired, Actor.System, new { request.Reference });
            return request;
        }

        at = at.AddMinutes(_random.Next(5, 120));
        if (roll is >= 36 and < 51)
        {
            request.RejectCustomer(approver, null, "We will handle this ourselves.", at);
            Audit(at, AuditEventType.AccessRequest_CustomerRejected, approver, new { request.Reference, Reason = "We will handle this ourselves." });
            return request;
        }

        foreach (var decider in approvers.OrderBy(_ => _random.Next()).Take(policy.RequiredApprovals))
        {
            request.ApproveCustomer(decider.ToActor(), null, null, at);
            Audit(at, AuditEventType.AccessRequest_CustomerApproved, decider.ToActor(), new { request.Reference });
            at = at.AddSeconds(_random.Next(30, 600));
        }

        Audit(request.GrantStartsAt!.Value, AuditEventType.Grant_Opened, Actor.System, new { request.Reference, request.GrantStartsAt, request.GrantEndsAt });
        if (roll >= 160)
        {
            return request; // a grant running now
        }

        var granted = request.GrantStartsAt!.Value;
        var ends = request.GrantEndsAt!.Value;
        Audit(granted.AddMinutes(1), AuditEventType.Grant_AccessChecked, Actor.System, new { request.Reference, Allowed = true });
        var midway = granted + (ends - granted) / 2;
        if (roll is >= 51 and < 58)
        {
            var officer = officers[_random.Next(officers.Count)].ToActor();
            request.Revoke(officer, "No longer needed.", midway);
            Audit(midway, AuditEventType.Grant_Revoked, officer, new { request.Reference, Reason = "No longer needed." });
        }
        else if (roll is >= 58 and < 68)
        {
            request.Release(engineer, midway);
            Audit(midway, AuditEventType.Grant_Released, engineer, new { request.Reference });
        }
        else
        {
            request.Complete(ends);
            Audit(ends, AuditEventType.Grant_Completed, Actor.System, new { request.Reference });
        }

        return request;
    }

    private async Task ProviderChainAsync(
        DateTimeOffset start, List<PortalUser> engineers, List<PortalUser> managers, List<PortalUser> admins, List<Guid> tenants, CancellationToken cancellationToken)
    {
        var items = new List<(DateTimeOffset At, AuditRecord Record)>();
        var admin = admins[0].ToActor();
        for (var t = 0; t < tenants.Count; t++)
        {
            items.Add((start.AddSeconds(t), Record(AuditEventType.Tenant_Created, admin, null, "Tenant", tenants[t].ToString(), new { ShortName = $"t{t + 1:D3}" })));
        }

        var staff = engineers.Concat(managers).Concat(admins).ToList();
        var span = (_now - start).TotalSeconds;
        while (items.Count < settings.ProviderAuditEntries)
        {
            var person = staff[_random.Next(staff.Count)];
            var at = start.AddSeconds(_random.NextDouble() * span);
            items.Add(_random.Next(20) == 0
                ? (at, Record(AuditEventType.SignIn_Failed, new Actor(person.Email!, person.Email!), null, "User", person.Email!, new { Reason = "wrong password" }))
                : (at, Record(AuditEventType.SignIn_Succeeded, person.ToActor(), null, "User", person.Id, new { Method = "Password" })));
        }

        await using var db = factory();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await AppendChainAsync(db, AuditEntry.ProviderChain, items, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Orders a chain's entries by time, numbers them from 1 and links each to the one before, in batches of 5,000.</summary>
    private async Task AppendChainAsync(LockboxDbContext db, Guid chainId, List<(DateTimeOffset At, AuditRecord Record)> items, CancellationToken cancellationToken)
    {
        var previous = AuditEntry.GenesisHash;
        long sequence = 0;
        foreach (var chunk in items.OrderBy(i => i.At).Chunk(5000))
        {
            foreach (var (at, record) in chunk)
            {
                var entry = new AuditEntry(chainId, ++sequence, at, record, previous);
                previous = entry.Hash;
                db.AuditEntries.Add(entry);
            }

            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        _auditEntries += sequence;
    }

    private static AuditRecord Record(AuditEventType type, Actor actor, Guid? tenantId, string subjectType, string subjectId, object details) =>
        new(type, actor, tenantId, subjectType, subjectId, AuditRecord.Details(details));

    private Guid NextGuid()
    {
        var bytes = new byte[16];
        _random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}

public sealed record GeneratorSettings(int Seed = 20261204, int Tenants = 200, int Requests = 100_000, int AuditEntries = 1_000_000, int ProviderAuditEntries = 100_000, int Engineers = 40, int Managers = 8);
