# The roles of examples/pipeline.gitlab-ci.yml, for the project that keeps this setup
# (platform/gitlab-oidc on gitlab.com). Plan with terraform.tfvars and this file:
#   terraform plan -var-file=terraform.tfvars -var-file=examples/pipeline.tfvars
roles = {
  # Merge requests and the default branch run terraform plan: any branch of this project,
  # read only. A merge request's token carries its source branch; a fork's carries the fork.
  "oidc-plan" = {
    subjects            = ["project_path:platform/gitlab-oidc:ref_type:branch:ref:*"]
    managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    description         = "terraform plan of platform/gitlab-oidc, from any branch or merge request; read only"
  }
  # Only the protected default branch applies.
  "oidc-deploy" = {
    subjects            = ["project_path:platform/gitlab-oidc:ref_type:branch:ref:main"]
    claims              = { ref_protected = ["true"] }
    managed_policy_arns = ["arn:aws:iam::123456789012:policy/gitlab-oidc-deploy"]
    description         = "terraform apply of platform/gitlab-oidc, from its protected default branch"
  }
}
