using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Tenants;

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> invitation)
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
    }
}
