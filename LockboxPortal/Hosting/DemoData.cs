using System.Security.Cryptography;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Hosting;

/// <summary>
/// Demo provider, tenants, people and requests for Development, written only into an empty database.
/// The password is <c>Seed:DemoPassword</c> when set, otherwise generated and printed once. Contoso requires
/// two-factor sign-in and its people have an authenticator enrolled: the key is <c>Seed:DemoAuthenticatorKey</c>
/// (base32) when set, otherwise one is generated per person; the keys are printed so a tester can compute codes.
/// Northwind does not require two-factor.
/// </summary>
public static class DemoData
{
    public const string PasswordKey = "Seed:DemoPassword";
    public const string AuthenticatorKeyKey = "Seed:DemoAuthenticatorKey";

    public static readonly Guid ContosoId = Guid.Parse("c0a70500-0000-4000-8000-000000000001");
    public static readonly Guid NorthwindId = Guid.Parse("a0e7d000-0000-4000-8000-000000000002");

    /// <summary>
    /// The demo's people: each holds <c>Role</c> on the provider (no <c>Tenants</c>) or on each of <c>Tenants</c>, and when
    /// <c>Approver</c> is on each of those tenants' approver lists. The MSP operator administers both tenants, so their
    /// queue shows both tenants' requests. Northwind has two security officers, so its two-person rule can be turned on.
    /// </summary>
    public static readonly (string Email, string Name, Guid[] Tenants, PortalRole Role, bool Approver)[] People =
    [
        ("engineer@fabrikam.test", "Erin Engineer", [], PortalRole.Engineer, false),
        ("engineer2@fabrikam.test", "Evan Engineer", [], PortalRole.Engineer, false),
        ("manager@fabrikam.test", "Mia Manager", [], PortalRole.EngineeringManager, false),
        ("admin@fabrikam.test", "Ada Admin", [], PortalRole.ProviderAdmin, false),
        ("approver1@contoso.test", "Alex Approver", [ContosoId], PortalRole.TenantAdmin, true),
        ("approver2@contoso.test", "Avery Approver", [ContosoId], PortalRole.TenantAdmin, true),
        ("officer@contoso.test", "Olga Officer", [ContosoId], PortalRole.SecurityOfficer, false),
        ("approver@northwind.test", "Noah Approver", [NorthwindId], PortalRole.TenantAdmin, true),
        ("officer@northwind.test", "Nora Officer", [NorthwindId], PortalRole.SecurityOfficer, false),
        ("officer2@northwind.test", "Nils Officer", [NorthwindId], PortalRole.SecurityOfficer, false),
        ("operator@msp.test", "Omar Operator", [ContosoId, NorthwindId], PortalRole.TenantAdmin, true),
    ];

    public static async Task SeedIfEmptyAsync(IServiceProvider services, IConfiguration configuration, TextWriter console, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LockboxDbContext>();
        if (await db.Users.AnyAsync(cancellationToken) || await db.Tenants.AnyAsync(cancellationToken))
        {
            await console.WriteLineAsync("LockboxPortal: demo data already present; demo accounts are listed in README.md.");
            return;
        }

        var configured = configuration[PasswordKey];
        var password = string.IsNullOrWhiteSpace(configured) ? GeneratePassword() : configured;
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();

        // All or nothing: a half-seeded database would never be seeded again.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var contoso = new Tenant(ContosoId, "Contoso", "contoso", now);
        contoso.ChangePolicy(TenantPolicy.Default with { RequireTwoFactor = true });
        db.Tenants.Add(contoso);
        db.Tenants.Add(new Tenant(NorthwindId, "Northwind", "northwind", now));
        await db.SaveChangesAsync(cancellationToken);

        var users = new Dictionary<string, PortalUser>();
        foreach (var (email, name, tenants, role, approver) in People)
        {
            var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name };
            var result = await userManager.CreateAsync(user, password);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Could not create demo user {email}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
            }

            users[email] = user;
            if (tenants.Length == 0)
            {
                db.Memberships.Add(new Membership(user.Id, null, role));
            }

            foreach (var tenant in tenants)
            {
                db.Memberships.Add(new Membership(user.Id, tenant, role));
                if (approver)
                {
                    db.ApproverListEntries.Add(new ApproverListEntry(tenant, user.Id, now));
                }
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        var authenticatorKeys = await EnrolContosoAsync(
            userManager, (IUserAuthenticatorKeyStore<PortalUser>)scope.ServiceProvider.GetRequiredService<IUserStore<PortalUser>>(), users, configuration[AuthenticatorKeyKey]);
        await SeedRequestsAsync(db, scope.ServiceProvider.GetRequiredService<AuditWriter>(), users, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        await console.WriteLineAsync($"""

            LockboxPortal demo data created. Sign in at /account/login with any of these accounts
            (password: {(string.IsNullOrWhiteSpace(configured) ? password + "  (generated; set Seed:DemoPassword to choose one)" : "the value of Seed:DemoPassword")}):
            {string.Join(Environment.NewLine, People.Select(p => $"  {p.Email,-26} {p.Role} ({(p.Tenants.Length == 0 ? "Fabrikam Support" : string.Join(", ", p.Tenants.Select(t => t == ContosoId ? "Contoso" : "Northwind")))})"))}

            Contoso requires two-factor sign-in; Northwind does not. After the password, a Contoso account asks for the
            code of its authenticator (TOTP, RFC 6238: SHA-1, 6 digits, 30 s). Keys (base32):
            {string.Join(Environment.NewLine, authenticatorKeys.Select(k => $"  {k.Email,-26} {k.Key}"))}
            Compute a code with, e.g., oathtool --totp -b <key>

            """);
    }

    /// <summary>Turns two-factor on for Contoso's people (the operator too) with a known authenticator key; returns the keys to print.</summary>
    private static async Task<IReadOnlyList<(string Email, string Key)>> EnrolContosoAsync(
        UserManager<PortalUser> userManager, IUserAuthenticatorKeyStore<PortalUser> store, Dictionary<string, PortalUser> users, string? configuredKey)
    {
        var keys = new List<(string, string)>();
        foreach (var email in People.Where(p => p.Tenants.Contains(ContosoId)).Select(p => p.Email))
        {
            var user = users[email];
            var key = string.IsNullOrWhiteSpace(configuredKey) ? userManager.GenerateNewAuthenticatorKey() : configuredKey.Replace(" ", "").ToUpperInvariant();
            await store.SetAuthenticatorKeyAsync(user, key, CancellationToken.None);
            var enabled = await userManager.SetTwoFactorEnabledAsync(user, true);
            if (!enabled.Succeeded)
            {
                throw new InvalidOperationException($"Could not enrol demo user {email}: {string.Join(" ", enabled.Errors.Select(e => e.Description))}");
            }

            keys.Add((email, key));
        }

        return keys;
    }

    private static async Task SeedRequestsAsync(LockboxDbContext db, AuditWriter audit, Dictionary<string, PortalUser> users, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var engineer = users["engineer@fabrikam.test"].ToActor();
        var engineer2 = users["engineer2@fabrikam.test"].ToActor();
        var manager = users["manager@fabrikam.test"].ToActor();
        var approver1 = users["approver1@contoso.test"].ToActor();
        var northwindApprover = users["approver@northwind.test"].ToActor();
        var policy = TenantPolicy.Default;
        var year = now.UtcDateTime.Year;
        var number = 0;

        AccessRequest File(Actor who, Guid tenant, string scope, AccessLevel level, string justification, DateTimeOffset at) =>
            AccessRequest.File(Guid.NewGuid(), $"LBX-{year}-{++number:D6}", tenant, who, ResourceScope.Parse(scope), level,
                justification, $"SR-{1000 + number}", TimeSpan.FromHours(4), policy, at, reason: RequestReason.CustomerSupport);

        var pendingInternal = File(engineer, ContosoId, "Exchange:mailbox/ana@contoso.com", AccessLevel.Read,
            "Customer reports missing calendar items; need to inspect the mailbox folder structure.", now.AddMinutes(-20));

        var pendingCustomer = File(engineer2, ContosoId, "SharePoint:site/finance", AccessLevel.Read,
            "Site collection fails to render after migration; need to read the site's configuration.", now.AddMinutes(-45));
        pendingCustomer.ApproveInternal(manager, "Looks right.", policy.RequiredApprovals, now.AddMinutes(-40));

        var approved = File(engineer, NorthwindId, "Sql:database/orders", AccessLevel.ReadWrite,
            "Repair a corrupted index on the orders database as agreed on the support call.", now.AddHours(-1));
        approved.ApproveInternal(manager, null, policy.RequiredApprovals, now.AddMinutes(-55));
        approved.ApproveCustomer(northwindApprover, null, "Go ahead.", now.AddMinutes(-50));

        var rejected = File(engineer2, ContosoId, "Exchange:mailbox/ceo@contoso.com", AccessLevel.ReadWrite,
            "Need to reset the mailbox rules that forward everything to an unknown address.", now.AddHours(-3));
        rejected.ApproveInternal(manager, null, policy.RequiredApprovals, now.AddHours(-2.9));
        rejected.RejectCustomer(approver1, null, "Our own team will handle the CEO mailbox.", now.AddHours(-2.8));

        db.AccessRequests.AddRange(pendingInternal, pendingCustomer, approved, rejected);
        foreach (var request in new[] { pendingInternal, pendingCustomer, approved, rejected })
        {
            await AuditHistoryAsync(db, audit, request, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// The demo requests' history, so their pages show a timeline like any other request's. The entries are written
    /// now, in order; each names the moment it describes in its details.
    /// </summary>
    private static async Task AuditHistoryAsync(LockboxDbContext db, AuditWriter audit, AccessRequest request, CancellationToken cancellationToken)
    {
        const string subject = "AccessRequest";
        var requester = new Actor(request.RequesterId, request.RequesterName);
        await audit.AppendAsync(db, new AuditRecord(AuditEventType.AccessRequest_Filed, requester, request.TenantId, subject, request.Id.ToString(),
            AuditRecord.Details(new { request.Reference, request.Scope, AccessLevel = request.AccessLevel.ToString(), request.Justification, At = request.CreatedAt, Demo = true })),
            cancellationToken);
        foreach (var decision in request.Decisions)
        {
            var type = (decision.Stage, decision.Outcome) switch
            {
                (DecisionStage.Internal, DecisionOutcome.Approved) => AuditEventType.AccessRequest_InternalApproved,
                (DecisionStage.Internal, DecisionOutcome.Rejected) => AuditEventType.AccessRequest_InternalDenied,
                (DecisionStage.Customer, DecisionOutcome.Approved) => AuditEventType.AccessRequest_CustomerApproved,
                _ => AuditEventType.AccessRequest_CustomerRejected,
            };
            var onBehalfOf = decision.OnBehalfOfId is null ? null : new Actor(decision.OnBehalfOfId, decision.OnBehalfOfName ?? decision.OnBehalfOfId);
            await audit.AppendAsync(db, new AuditRecord(type, new Actor(decision.DeciderId, decision.DeciderName), request.TenantId, subject, request.Id.ToString(),
                AuditRecord.Details(new { request.Reference, decision.Comment, At = decision.DecidedAt, Demo = true }), onBehalfOf), cancellationToken);
        }

        if (request.Status == RequestStatus.Approved)
        {
            await audit.AppendAsync(db, new AuditRecord(AuditEventType.Grant_Opened, Actor.System, request.TenantId, subject, request.Id.ToString(),
                AuditRecord.Details(new { request.Reference, request.GrantStartsAt, request.GrantEndsAt, Demo = true })), cancellationToken);
        }
    }

    private static string GeneratePassword() =>
        $"Lbx-{Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y')}-{RandomNumberGenerator.GetInt32(10, 100)}";
}
