using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Notifications;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Data;

/// <summary>
/// The portal's storage, shared by every database provider. Each provider has a derived context with its
/// own migrations (see <see cref="SqliteLockboxDbContext"/>), because their schemas differ in column types;
/// what only one provider needs (a value converter, a collation) goes in its derived context, not here.
/// </summary>
public abstract class LockboxDbContext(DbContextOptions options) : IdentityDbContext<PortalUser>(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<AccessRequest> AccessRequests => Set<AccessRequest>();

    public DbSet<RequestDecision> RequestDecisions => Set<RequestDecision>();

    public DbSet<Features.AccessRequests.Signing.SignedDecision> SignedDecisions => Set<Features.AccessRequests.Signing.SignedDecision>();

    public DbSet<Features.AccessRequests.ScopeCatalogueEntry> ScopeCatalogueEntries => Set<Features.AccessRequests.ScopeCatalogueEntry>();

    public DbSet<RequestQuestion> RequestQuestions => Set<RequestQuestion>();

    public DbSet<Features.Transparency.GrantActivity> GrantActivities => Set<Features.Transparency.GrantActivity>();

    public DbSet<Features.Transparency.GrantCheckMinute> GrantCheckMinutes => Set<Features.Transparency.GrantCheckMinute>();

    public DbSet<ApproverListEntry> ApproverListEntries => Set<ApproverListEntry>();

    public DbSet<EscalationListEntry> EscalationListEntries => Set<EscalationListEntry>();

    public DbSet<Delegation> Delegations => Set<Delegation>();

    public DbSet<PolicyChange> PolicyChanges => Set<PolicyChange>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<SetupToken> SetupTokens => Set<SetupToken>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<GrantSigningKey> GrantSigningKeys => Set<GrantSigningKey>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<RequestReminder> RequestReminders => Set<RequestReminder>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums as their names, so the data reads without the code and survives reordering.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(40);
    }

    /// <summary>Each entity's mapping sits beside it in its feature folder, as an <see cref="IEntityTypeConfiguration{TEntity}"/>.</summary>
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(LockboxDbContext).Assembly);
    }
}
