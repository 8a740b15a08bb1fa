// Tensor handles: accessors, typed access, rank 0, empty tensors, from_blob, errors.
#include "test_util.hpp"

TEST_CASE("tensor: accessors of a fresh tensor") {
  Tensor t = ex::zeros({2, 3, 4}, DType::Int16);
  CHECK(t.dim() == 3);
  CHECK(t.numel() == 24);
  CHECK(t.size(-1) == 4);
  CHECK(t.size(0) == 2);
  CHECK(t.strides() == ex::Strides{12, 4, 1});
  CHECK(t.stride(-3) == 12);
  CHECK(t.dtype() == DType::Int16);
  CHECK(t.itemsize() == 2);
  CHECK(t.nbytes() == 48);
  CHECK(t.is_contiguous());
  CHECK(t.storage_offset() == 0);
  CHECK(reinterpret_cast<std::uintptr_t>(t.raw_data()) % 64 == 0);  // 64-byte aligned storage
  CHECK_THROWS_WITH_AS(t.size(3), doctest::Contains("size: axis 3 is out of range for a tensor of rank 3"), ex::Error);
}

TEST_CASE("tensor: typed data access checks the dtype") {
  Tensor t = ex::arange(6).reshape({2, 3});
  CHECK(t.dtype() == DType::Int64);
  std::int64_t* p = t.data<std::int64_t>();
  p[4] = 40;
  CHECK(t.to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 1, 2, 3, 40, 5});
  CHECK_THROWS_WITH_AS(t.data<float>(), "data: tensor has dtype int64, requested float32", ex::Error);
  // Views point data<T>() at their first element.
  CHECK(*t.slice(1, 1, 3).data<std::int64_t>() == 1);
  CHECK(t.transpose(0, 1).to_vector<int>() == std::vector<int>{0, 3, 1, 40, 2, 5});
}

TEST_CASE("tensor: item") {
  CHECK(ex::full({1, 1}, 2.5).item<float>() == 2.5f);
  CHECK(ex::full({}, 2.5, DType::Float64).item<int>() == 2);
  CHECK(ex::scalar_tensor(7, DType::UInt8).item<double>() == 7.0);
  CHECK_THROWS_WITH_AS(ex::zeros({2}).item<float>(), doctest::Contains("item: tensor with 2 elements"), ex::Error);
  CHECK_THROWS_AS(ex::zeros({0}).item<float>(), ex::Error);
}

TEST_CASE("tensor: rank 0 and zero-size tensors") {
  Tensor s = ex::scalar_tensor(3.0);
  CHECK(s.dim() == 0);
  CHECK(s.numel() == 1);
  CHECK(s.shape() == ex::Shape{});
  CHECK(s.is_contiguous());
  CHECK(s.clone().item<float>() == 3.0f);
  CHECK(s.to(DType::Int8).item<int>() == 3);
  CHECK(s.reshape({1, 1}).shape() == ex::Shape{1, 1});
  CHECK(s.unsqueeze(0).shape() == ex::Shape{1});
  CHECK(s.flatten().shape() == ex::Shape{1});
  CHECK(s.expand({2, 2}).to_vector<float>() == std::vector<float>{3, 3, 3, 3});

  Tensor e = ex::zeros({3, 0, 2});
  CHECK(e.numel() == 0);
  CHECK(e.nbytes() == 0);
  CHECK(e.is_contiguous());
  CHECK(e.to_vector<float>().empty());
  CHECK(e.transpose(0, 2).contiguous().shape() == ex::Shape{2, 0, 3});
  CHECK(e.to(DType::Float16).shape() == ex::Shape{3, 0, 2});
  CHECK(e.reshape({0, 5}).shape() == ex::Shape{0, 5});
  CHECK(e.reshape({-1}).shape() == ex::Shape{0});
  CHECK_THROWS_AS(e.reshape({-1, 0}), ex::Error);  // -1 is ambiguous next to 0
}

TEST_CASE("tensor: an undefined tensor throws instead of crashing") {
  Tensor t;
  CHECK_FALSE(t.defined());
  CHECK_THROWS_WITH_AS(t.shape(), doctest::Contains("undefined"), ex::Error);
  CHECK_THROWS_AS(t.numel(), ex::Error);
  CHECK_THROWS_AS(t.clone(), ex::Error);
  CHECK(ex::to_string(t) == "tensor(undefined)");
}

TEST_CASE("tensor: huge and negative shapes are rejected before allocating") {
  const std::int64_t big = std::int64_t{1} << 40;
  CHECK_THROWS_WITH_AS(ex::zeros({big, big}), doctest::Contains("zeros: shape [1099511627776, 1099511627776]"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::ones({2, -3}), "ones: shape [2, -3] has a negative dimension", ex::Error);
  CHECK_THROWS_AS(ex::empty({-1}), ex::Error);
  CHECK(ex::zeros({big, big, 0}).numel() == 0);  // empty wins: nothing to allocate
  CHECK_THROWS_AS(ex::rand({big, big}), ex::Error);
  CHECK_THROWS_AS(ex::ones({4}).expand({big, big, 4}), ex::Error);
}

TEST_CASE("tensor: from_blob aliases caller memory") {
  std::vector<float> buffer = {1, 2, 3, 4, 5, 6};
  Tensor t = ex::from_blob(buffer.data(), {2, 3}, DType::Float32);
  buffer[5] = 60;
  CHECK(t.to_vector<float>() == std::vector<float>{1, 2, 3, 4, 5, 60});
  t.data<float>()[0] = 10;
  CHECK(buffer[0] == 10);

  Tensor col = ex::from_blob(buffer.data() + 1, {2}, {3}, DType::Float32);  // strided: elements 1 and 4
  CHECK(col.to_vector<float>() == std::vector<float>{2, 5});

  bool deleted = false;
  {
    Tensor owned = ex::from_blob(buffer.data(), {6}, DType::Float32, [&](void*) { deleted = true; });
    Tensor view = owned.slice(0, 2, 4);
    owned = Tensor();
    CHECK_FALSE(deleted);  // the view keeps the memory alive
  }
  CHECK(deleted);

  CHECK_THROWS_WITH_AS(ex::from_blob(nullptr, {2}, DType::Float32), doctest::Contains("from_blob: null"), ex::Error);
  CHECK_THROWS_AS(ex::from_blob(buffer.data(), {2}, {1, 1}, DType::Float32), ex::Error);
  CHECK_THROWS_AS(ex::from_blob(buffer.data(), {2}, {-1}, DType::Float32), ex::Error);
  CHECK_THROWS_AS(ex::from_blob(buffer.data(), {3, 3}, {std::int64_t{1} << 62, 1}, DType::Float32), ex::Error);
  CHECK(ex::from_blob(nullptr, {0, 3}, DType::Float32).numel() == 0);
}

TEST_CASE("tensor: make_view validates the geometry against the storage") {
  Tensor base = ex::arange(12.0, 0.0, -1.0, DType::Float32);
  Tensor v = ex::make_view(base, {2, 2}, {6, 2}, 1);
  CHECK(v.to_vector<float>() == std::vector<float>{11, 9, 5, 3});
  CHECK_THROWS_WITH_AS(ex::make_view(base, {2, 2}, {6, 3}, 3), doctest::Contains("reaches past the storage"),
                       ex::Error);
  CHECK_THROWS_AS(ex::make_view(base, {2}, {1}, -1), ex::Error);
  CHECK_THROWS_AS(ex::make_view(base, {2, 2}, {1}, 0), ex::Error);
}

TEST_CASE("tensor: copies of high-rank views") {
  // Rank 7 spills Shape's inline storage and exercises the strided loop's carries.
  Tensor t = ex::arange(2 * 3 * 1 * 2 * 2 * 3 * 2).reshape({2, 3, 1, 2, 2, 3, 2});
  Tensor p = t.permute({6, 5, 4, 3, 2, 1, 0});
  CHECK_FALSE(p.is_contiguous());
  Tensor c = p.contiguous();
  CHECK(c.is_contiguous());
  const auto tv = t.to_vector<std::int64_t>();
  const auto cv = c.to_vector<std::int64_t>();
  // c[i6][i5][i4][i3][i2][i1][i0] == t[i0][i1][i2][i3][i4][i5][i6]
  std::size_t k = 0;
  for (int i6 = 0; i6 < 2; ++i6)
    for (int i5 = 0; i5 < 3; ++i5)
      for (int i4 = 0; i4 < 2; ++i4)
        for (int i3 = 0; i3 < 2; ++i3)
          for (int i1 = 0; i1 < 3; ++i1)
            for (int i0 = 0; i0 < 2; ++i0) {
              const std::size_t src = ((((i0 * 3 + i1) * 2 + i3) * 2 + i4) * 3 + i5) * 2 + i6;
              REQUIRE(cv[k++] == tv[src]);
            }
}

TEST_CASE("tensor: large strided copy runs in parallel and matches") {
  ex::set_num_threads(2);
  Tensor t = ex::arange(512 * 300).to(DType::Float32).reshape({512, 300});
  Tensor tt = t.transpose(0, 1).contiguous();
  const auto v = tt.to_vector<float>();
  for (int i = 0; i < 300; i += 37)
    for (int j = 0; j < 512; j += 41) REQUIRE(v[i * 512 + j] == static_cast<float>(j * 300 + i));
}

TEST_CASE("storage: large blocks are aligned, reused and released") {
  ex::empty_cache();
  CHECK(ex::cached_bytes() == 0);
  void* first = nullptr;
  {
    Tensor big = ex::zeros({1 << 20});  // 4 MiB
    first = big.raw_data();
    CHECK(reinterpret_cast<std::uintptr_t>(first) % 64 == 0);
    CHECK(big.to_vector<float>()[123456] == 0.0f);
  }
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  CHECK(ex::cached_bytes() == (std::size_t{4} << 20));
  Tensor again = ex::empty({1 << 20});
  CHECK(again.raw_data() == first);  // the freed block came back
  CHECK(ex::cached_bytes() == 0);
  again = Tensor();
  ex::empty_cache();
#endif
  CHECK(ex::cached_bytes() == 0);
  // A size between cache buckets still gets its own exact block.
  Tensor odd = ex::ones({(1 << 20) + 3});
  CHECK(odd.to_vector<float>().back() == 1.0f);
}

TEST_CASE("storage: medium blocks (64 KiB to 1 MiB) are cached in 64 KiB steps") {
  ex::empty_cache();
  void* first = nullptr;
  {
    Tensor medium = ex::full({50000}, 2.0);  // 200000 bytes: a 256 KiB block
    first = medium.raw_data();
    CHECK(reinterpret_cast<std::uintptr_t>(first) % 64 == 0);
    CHECK(medium.to_vector<float>()[49999] == 2.0f);
  }
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  CHECK(ex::cached_bytes() == (std::size_t{256} << 10));
  Tensor same_bucket = ex::empty({60000});  // 240000 bytes: the same 256 KiB block
  CHECK(same_bucket.raw_data() == first);
  CHECK(ex::cached_bytes() == 0);
  same_bucket = Tensor();
  Tensor small = ex::empty({1000});  // 4000 bytes: not cached, not served from the cache
  CHECK(small.raw_data() != first);
  CHECK(ex::cached_bytes() == (std::size_t{256} << 10));
  ex::empty_cache();
#endif
  CHECK(ex::cached_bytes() == 0);
}

TEST_CASE("storage: of two cached blocks of one size, the most recently freed comes back first") {
  ex::empty_cache();
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  Tensor a = ex::empty({1 << 20}), b = ex::empty({1 << 20});
  void* pa = a.raw_data();
  void* pb = b.raw_data();
  a = Tensor();  // freed first
  b = Tensor();  // freed last: its lines are the warm ones
  Tensor c = ex::empty({1 << 20});
  CHECK(c.raw_data() == pb);
  Tensor d = ex::empty({1 << 20});
  CHECK(d.raw_data() == pa);
  CHECK(ex::cached_bytes() == 0);
  c = Tensor();
  d = Tensor();
  ex::empty_cache();
#endif
  CHECK(ex::cached_bytes() == 0);
}

TEST_CASE("tensor: transposing copies (tiled path) match an element-by-element reference") {
  // [3, 45, 70] permuted to [3, 70, 45]: inner dim strided, next dim dense, sizes not
  // multiples of the 32-element tile.
  Tensor t = ex::arange(3 * 45 * 70).reshape({3, 45, 70});
  Tensor p = t.permute({0, 2, 1});
  const auto tv = t.to_vector<std::int64_t>();
  for (DType out : {DType::Int64, DType::Float32, DType::Float16}) {
    INFO("dtype " << ex::dtype_name(out));
    const auto got = (out == DType::Int64 ? p.contiguous() : p.to(out)).to_vector<double>();
    std::size_t k = 0;
    for (int b = 0; b < 3; ++b)
      for (int j = 0; j < 70; ++j)
        for (int i = 0; i < 45; ++i) {
          const double want = static_cast<double>(tv[(b * 45 + i) * 70 + j]);
          REQUIRE(got[k++] == (out == DType::Float16 ? static_cast<double>(static_cast<float>(ex::Half(want))) : want));
        }
  }
  // A big 2-D transpose runs its tiles on two threads.
  ex::set_num_threads(2);
  Tensor m = ex::arange(300 * 257).to(DType::Float64).reshape({300, 257});
  const auto mt = m.transpose(0, 1).contiguous().to_vector<double>();
  for (int i = 0; i < 257; i += 13)
    for (int j = 0; j < 300; j += 7) REQUIRE(mt[i * 300 + j] == static_cast<double>(j * 257 + i));
}

TEST_CASE("tensor: register-block transposes for every element width match the element loop") {
  // Same-dtype transposing copies go through L x L register transposes (L = 64, 32, 16,
  // 8 for 1-, 2-, 4-, 8-byte elements) with element-loop edges; a converting copy
  // (to float64) takes the element loop only, so the two must agree exactly.
  const int before = ex::get_num_threads();
  for (int threads : {1, 2}) {
    ex::set_num_threads(threads);
    for (DType dt : {DType::Bool, DType::UInt8, DType::Int16, DType::Float16, DType::BFloat16, DType::Int32,
                     DType::Float32, DType::Int64, DType::Float64}) {
      std::vector<std::int64_t> values(2 * 75 * 139);
      for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<std::int64_t>(i % 97);
      const Tensor base = ex::tensor(values, {2, 75, 139}).to(dt);
      const std::vector<Tensor> views = {
          base.transpose(1, 2),                                       // batched, sizes not multiples of any L
          base.reshape({150, 139}).transpose(0, 1),                   // one big tile grid
          base.slice(2, 1, 139).transpose(1, 2),                      // rows start off a 64-byte boundary
          base.reshape({150, 139}).slice(0, 3, 140).transpose(0, 1),  // offset storage
          base.permute({2, 0, 1}),                                    // the dense dim moves to the middle
      };
      for (std::size_t k = 0; k < views.size(); ++k) {
        INFO("dtype " << ex::dtype_name(dt) << " view " << k << " threads " << threads);
        const Tensor got = views[k].contiguous();
        REQUIRE(got.is_contiguous());
        CHECK(got.to_vector<double>() == views[k].to(DType::Float64).to_vector<double>());
      }
    }
  }
  ex::set_num_threads(before);
  // Hand values: out[j][i] = in[i][j] for a 4-byte type.
  const Tensor m = ex::arange(70 * 45).to(DType::Int32).reshape({70, 45});
  const std::vector<std::int32_t> mt = m.transpose(0, 1).contiguous().to_vector<std::int32_t>();
  for (int j = 0; j < 45; ++j)
    for (int i = 0; i < 70; ++i) REQUIRE(mt[j * 70 + i] == i * 45 + j);
}

TEST_CASE("storage: small tensors share one allocation with their Storage and stay 64-byte aligned") {
  std::vector<Tensor> live;
  for (std::int64_t n : {0, 1, 3, 15, 16, 17, 63, 64, 65, 1000, 4097, (1 << 18) - 1}) {
    Tensor t = ex::full({n}, static_cast<double>(n % 100), DType::UInt8);
    CHECK(reinterpret_cast<std::uintptr_t>(t.raw_data()) % 64 == 0);
    CHECK(t.storage()->nbytes() == static_cast<std::size_t>(n));
    live.push_back(t);
  }
  // Every buffer still holds its own values: none overlaps another or the Storage.
  for (const Tensor& t : live) {
    const std::vector<std::uint8_t> v = t.to_vector<std::uint8_t>();
    for (std::uint8_t b : v) REQUIRE(b == static_cast<std::uint8_t>(t.numel() % 100));
  }
}
