using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.AccessRequests;

internal sealed class AccessRequestConfiguration : IEntityTypeConfiguration<AccessRequest>
{
    public void Configure(EntityTypeBuilder<AccessRequest> request)
    {
        request.Property(r => r.Reference).HasMaxLength(32);
        request.HasIndex(r => r.Reference).IsUnique();
        request.Property(r => r.RequesterId).HasMaxLength(450);
        request.Property(r => r.RequesterName).HasMaxLength(200);
        request.Property(r => r.Scope).HasMaxLength(ResourceScope.MaxLength + 1);
        request.Property(r => r.Justification).HasMaxLength(AccessRequest.JustificationMaxLength);
        request.Property(r => r.TicketReference).HasMaxLength(AccessRequest.TicketMaxLength);
        request.Property(r => r.ClosedReason).HasMaxLength(AccessRequest.CommentMaxLength + 250);
        request.Property(r => r.ExtendsReference).HasMaxLength(32);
        request.HasIndex(r => r.ExtendsRequestId);
        request.Property(r => r.IncidentReference).HasMaxLength(AccessRequest.IncidentReferenceMaxLength);
        request.Property(r => r.ReviewedByName).HasMaxLength(200);
        request.Property(r => r.ReviewNote).HasMaxLength(AccessRequest.ReviewNoteMaxLength);
        request.Ignore(r => r.IsEmergency);
        request.Ignore(r => r.AwaitsReview);
        request.HasIndex(r => new { r.Ratification, r.ExpiresAt });
        request.Property(r => r.Version).IsConcurrencyToken();
        request.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
        request.HasMany(r => r.Decisions).WithOne().HasForeignKey(d => d.AccessRequestId).OnDelete(DeleteBehavior.Cascade);
        request.Navigation(r => r.Decisions).HasField("_decisions").UsePropertyAccessMode(PropertyAccessMode.Field);
        request.Ignore(r => r.NextDeadline);
        request.Ignore(r => r.ParsedScope);
        request.Ignore(r => r.CustomerApprovals);
        request.Ignore(r => r.IsExtension);
        request.HasIndex(r => new { r.TenantId, r.Status, r.ExpiresAt });
        request.HasIndex(r => new { r.RequesterId, r.CreatedAt });
        request.HasIndex(r => new { r.Status, r.ExpiresAt });
        request.HasIndex(r => new { r.Status, r.GrantEndsAt });
        request.HasIndex(r => new { r.Status, r.EscalatesAt });
    }
}
