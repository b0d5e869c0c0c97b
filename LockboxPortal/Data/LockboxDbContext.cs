using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LockboxPortal.Data;

/// <summary>
/// The portal's storage, shared by every database provider. Each provider has a derived context with its
/// own migrations (see <see cref="SqliteLockboxDbContext"/>), because their schemas differ in column types.
/// </summary>
public abstract class LockboxDbContext(DbContextOptions options) : IdentityDbContext<PortalUser>(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<AccessRequest> AccessRequests => Set<AccessRequest>();

    public DbSet<RequestDecision> RequestDecisions => Set<RequestDecision>();

    public DbSet<ApproverListEntry> ApproverListEntries => Set<ApproverListEntry>();

    public DbSet<Delegation> Delegations => Set<Delegation>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<SetupToken> SetupTokens => Set<SetupToken>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<GrantSigningKey> GrantSigningKeys => Set<GrantSigningKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums as their names, so the data reads without the code and survives reordering.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(40);

        // Timestamps as UTC date-times: SQLite stores them as ISO-8601 text, which filters and sorts correctly,
        // unlike DateTimeOffset, which SQLite can neither compare nor order.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcDateTimeOffsetConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<PortalUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(200);
        });

        builder.Entity<Tenant>(tenant =>
        {
            tenant.Property(t => t.Name).HasMaxLength(200);
            tenant.Property(t => t.ShortName).HasMaxLength(40);
            tenant.HasIndex(t => t.ShortName).IsUnique();
            tenant.HasIndex(t => t.EntraTenantId).IsUnique();
            tenant.ComplexProperty(t => t.Policy);
        });

        builder.Entity<Invitation>(invitation =>
        {
            invitation.Property(i => i.TokenHash).HasMaxLength(64);
            invitation.HasIndex(i => i.TokenHash).IsUnique();
            invitation.Property(i => i.Email).HasMaxLength(256);
            invitation.Property(i => i.DisplayName).HasMaxLength(200);
            invitation.Property(i => i.InvitedById).HasMaxLength(450);
            invitation.Property(i => i.InvitedByName).HasMaxLength(200);
            invitation.Property(i => i.AcceptedUserId).HasMaxLength(450);
            invitation.Property(i => i.RevokedByName).HasMaxLength(200);
            invitation.Property(i => i.Version).IsConcurrencyToken();
            invitation.HasIndex(i => new { i.TenantId, i.CreatedAt });
            invitation.HasOne<Tenant>().WithMany().HasForeignKey(i => i.TenantId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<SetupToken>(token =>
        {
            token.Property(t => t.TokenHash).HasMaxLength(64);
        });

        builder.Entity<ApiToken>(token =>
        {
            token.Property(t => t.Id).ValueGeneratedNever();
            token.Property(t => t.Name).HasMaxLength(ApiToken.NameMaxLength);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.Property(t => t.OwnerId).HasMaxLength(450);
            token.Property(t => t.CreatedById).HasMaxLength(450);
            token.Property(t => t.CreatedByName).HasMaxLength(200);
            token.HasIndex(t => new { t.OwnerId, t.CreatedAt });
            token.HasOne<PortalUser>().WithMany().HasForeignKey(t => t.OwnerId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<GrantSigningKey>(key =>
        {
            key.Property(k => k.Id).HasMaxLength(64);
            key.Property(k => k.PublicX).HasMaxLength(64);
            key.Property(k => k.PublicY).HasMaxLength(64);
            key.Property(k => k.ProtectedPrivateKey).HasMaxLength(2000);
        });

        builder.Entity<Membership>(membership =>
        {
            membership.Property(m => m.UserId).HasMaxLength(450);
            membership.HasIndex(m => new { m.UserId, m.TenantId, m.Role }).IsUnique();
            membership.HasOne<PortalUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
            membership.HasOne<Tenant>().WithMany().HasForeignKey(m => m.TenantId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<AccessRequest>(request =>
        {
            request.Property(r => r.Reference).HasMaxLength(32);
            request.HasIndex(r => r.Reference).IsUnique();
            request.Property(r => r.RequesterId).HasMaxLength(450);
            request.Property(r => r.RequesterName).HasMaxLength(200);
            request.Property(r => r.Scope).HasMaxLength(ResourceScope.MaxLength + 1);
            request.Property(r => r.Justification).HasMaxLength(AccessRequest.JustificationMaxLength);
            request.Property(r => r.TicketReference).HasMaxLength(AccessRequest.TicketMaxLength);
            request.Property(r => r.ClosedReason).HasMaxLength(AccessRequest.CommentMaxLength + 250);
            request.Property(r => r.Version).IsConcurrencyToken();
            request.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
            request.HasMany(r => r.Decisions).WithOne().HasForeignKey(d => d.AccessRequestId).OnDelete(DeleteBehavior.Cascade);
            request.Navigation(r => r.Decisions).HasField("_decisions").UsePropertyAccessMode(PropertyAccessMode.Field);
            request.Ignore(r => r.NextDeadline);
            request.Ignore(r => r.ParsedScope);
            request.Ignore(r => r.CustomerApprovals);
            request.HasIndex(r => new { r.TenantId, r.Status, r.ExpiresAt });
            request.HasIndex(r => new { r.RequesterId, r.CreatedAt });
            request.HasIndex(r => new { r.Status, r.ExpiresAt });
            request.HasIndex(r => new { r.Status, r.GrantEndsAt });
        });

        builder.Entity<RequestDecision>(decision =>
        {
            // The entity sets its own id and decisions reach the context through AccessRequest.Decisions.
            // With a store-generated key, EF would take such a new decision with its id already set for an
            // existing row and UPDATE it (0 rows, a concurrency failure) instead of inserting it.
            decision.Property(d => d.Id).ValueGeneratedNever();
            decision.Property(d => d.DeciderId).HasMaxLength(450);
            decision.Property(d => d.DeciderName).HasMaxLength(200);
            decision.Property(d => d.OnBehalfOfId).HasMaxLength(450);
            decision.Property(d => d.OnBehalfOfName).HasMaxLength(200);
            decision.Property(d => d.Comment).HasMaxLength(AccessRequest.CommentMaxLength);
            decision.Ignore(d => d.PeopleCounted);
        });

        builder.Entity<ApproverListEntry>(entry =>
        {
            entry.HasIndex(e => new { e.TenantId, e.UserId }).IsUnique();
            entry.HasOne<Tenant>().WithMany().HasForeignKey(e => e.TenantId).OnDelete(DeleteBehavior.Restrict);
            entry.HasOne<PortalUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Delegation>(delegation =>
        {
            delegation.Property(d => d.Id).ValueGeneratedNever();
            delegation.Property(d => d.DelegatorId).HasMaxLength(450);
            delegation.Property(d => d.DelegatorName).HasMaxLength(200);
            delegation.Property(d => d.DelegateId).HasMaxLength(450);
            delegation.Property(d => d.DelegateName).HasMaxLength(200);
            delegation.Property(d => d.Reason).HasMaxLength(Delegation.ReasonMaxLength);
            delegation.Property(d => d.CreatedById).HasMaxLength(450);
            delegation.Property(d => d.CreatedByName).HasMaxLength(200);
            delegation.Property(d => d.RevokedById).HasMaxLength(450);
            delegation.Property(d => d.RevokedByName).HasMaxLength(200);
            delegation.Property(d => d.Version).IsConcurrencyToken();
            delegation.Ignore(d => d.Delegator);
            delegation.Ignore(d => d.Delegate);
            delegation.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
            delegation.HasOne<PortalUser>().WithMany().HasForeignKey(d => d.DelegatorId).OnDelete(DeleteBehavior.Cascade);
            delegation.HasOne<PortalUser>().WithMany().HasForeignKey(d => d.DelegateId).OnDelete(DeleteBehavior.Cascade);
            delegation.HasIndex(d => new { d.TenantId, d.DelegateId, d.EndsAt });
            delegation.HasIndex(d => new { d.TenantId, d.DelegatorId, d.EndsAt });
            delegation.HasIndex(d => new { d.EndRecordedAt, d.EndsAt });
        });

        builder.Entity<AuditEntry>(entry =>
        {
            // The unique sequence per chain is what stops two concurrent writers from forking a chain:
            // the second insert of the same number fails and its operation is retried on the new head.
            entry.HasIndex(e => new { e.ChainId, e.Sequence }).IsUnique();
            entry.HasIndex(e => new { e.ChainId, e.OccurredAt });
            entry.HasIndex(e => new { e.SubjectType, e.SubjectId });
            entry.Property(e => e.EventType).HasConversion<string>().HasMaxLength(60);
            entry.Property(e => e.ActorId).HasMaxLength(450);
            entry.Property(e => e.ActorName).HasMaxLength(200);
            entry.Property(e => e.SubjectType).HasMaxLength(60);
            entry.Property(e => e.SubjectId).HasMaxLength(200);
            entry.Property(e => e.ClientAddress).HasMaxLength(64);
            entry.Property(e => e.UserAgent).HasMaxLength(512);
            entry.Property(e => e.PreviousHash).HasMaxLength(64);
            entry.Property(e => e.Hash).HasMaxLength(64);
        });
    }
}

/// <summary>Stores every <see cref="DateTimeOffset"/> as a UTC <see cref="DateTime"/>.</summary>
internal sealed class UtcDateTimeOffsetConverter() : ValueConverter<DateTimeOffset, DateTime>(
    value => value.UtcDateTime,
    value => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)));
