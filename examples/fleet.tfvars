# Three teams, ten GitLab projects, one OIDC provider: the article's role plus a role per
# team and duty. Use with the article's variables (terraform.tfvars.example):
#   terraform plan -var-file=terraform.tfvars -var-file=examples/fleet.tfvars

roles = {
  # Payments: one deploy role per service, main branch only.
  "payments-api-deploy" = {
    subjects            = ["project_path:payments/api:ref_type:branch:ref:main"]
    managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"]
    description         = "payments/api deploys from main"
    tags                = { team = "payments" }
  }
  "payments-ledger-deploy" = {
    subjects            = ["project_path:payments/ledger:ref_type:branch:ref:main"]
    managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"]
    tags                = { team = "payments" }
  }
  # Group-wide tag deploys: any project of the payments group, release tags only.
  "payments-releases" = {
    subjects            = ["project_path:payments/*:ref_type:tag:ref:v*"]
    managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    tags                = { team = "payments" }
  }

  # Data platform: three pipelines share one ETL role; a read-only role for every branch.
  "data-etl" = {
    subjects = [
      "project_path:data-platform/etl:ref_type:branch:ref:main",
      "project_path:data-platform/ingest:ref_type:branch:ref:main",
      "project_path:data-platform/warehouse:ref_type:branch:ref:main",
    ]
    inline_policies = {
      "etl-bucket" = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::data-platform-etl/*\"}]}"
    }
    max_session_duration = 7200
    tags                 = { team = "data" }
  }
  "data-readonly" = {
    subjects            = ["project_path:data-platform/*:ref_type:branch:ref:*"]
    managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    tags                = { team = "data" }
  }

  # Web: previews from any branch of the storefront, docs from main, and production
  # bound to protected refs and to immutable project IDs (gitlab.com claims).
  "web-preview" = {
    subjects            = ["project_path:web/storefront:ref_type:branch:ref:*"]
    managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]
    path                = "/gitlab-ci/"
    tags                = { team = "web" }
  }
  "web-docs" = {
    subjects            = ["project_path:web/docs:ref_type:branch:ref:main", "project_path:web/design-system:ref_type:branch:ref:main"]
    managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]
    tags                = { team = "web" }
  }
  "web-production" = {
    subjects = [
      "project_path:web/storefront:ref_type:branch:ref:main",
      "project_path:web/admin:ref_type:branch:ref:main",
    ]
    claims = {
      ref_protected = ["true"]
      project_id    = ["40100001", "40100002"]
    }
    managed_policy_arns  = ["arn:aws:iam::aws:policy/AmazonECS_FullAccess"]
    permissions_boundary = "arn:aws:iam::123456789012:policy/web-production-boundary"
    max_session_duration = 3600
    description          = "Production deploys: protected main of storefront and admin only"
    tags                 = { team = "web", environment = "production" }
  }
}
